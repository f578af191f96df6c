using System.Text.Json;
using Google.Protobuf;

namespace CathLab.Station.Web;

/// <summary>The console WebSocket's outgoing messages (docs/web-console.md). Payloads are the protobuf JSON mapping of
/// the control API's own replies, every field present (defaults included) so the page needs no defaults of its own.</summary>
internal static class ConsoleMessages
{
    public static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    public static string Reply(string type, long id, IMessage reply) =>
        $"{{\"type\":\"{type}\",\"id\":{id},\"reply\":{Formatter.Format(reply)}}}";

    private static readonly JsonSerializerOptions Plain = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    public static string Refused(long? id, string status, string detail, int? malformed = null) =>
        JsonSerializer.Serialize(new { type = "refused", id, status, detail, malformed }, Plain);

    public static string Welcome(string subject, string role, int leaseMs, int renewIntervalMs) =>
        JsonSerializer.Serialize(new { type = "welcome", subject, role, leaseMs, renewIntervalMs }, Plain);
}
