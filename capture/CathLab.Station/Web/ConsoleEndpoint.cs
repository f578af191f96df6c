using System.Net.WebSockets;
using System.Text.Json;
using CathLab.Security.Access;
using CathLab.Security.Audit;
using CathLab.Station.Control;

namespace CathLab.Station.Web;

/// <summary>The technician console's WebSocket (<see cref="Path"/>): the first message carries the token (never the
/// URL); the answer says who signed in and with which role. A technician then gets the station's status pushed on
/// change and sends commands, each answered; an observer is told its role and the socket closes (the page shows it
/// the viewer). Protocol: docs/web-console.md.</summary>
internal sealed class ConsoleEndpoint(IServiceProvider services, IAccessTokenResolver tokens, IAuditLog audit, IHostApplicationLifetime lifetime, ILogger<ConsoleEndpoint> logger)
{
    public const string Path = "/ws/console";
    public const string Transport = "websocket";
    private const WebSocketCloseStatus Unauthorized = (WebSocketCloseStatus)4401;

    public async Task AcceptAsync(HttpContext context)
    {
        using var signIn = await WebSocketSignIn.AcceptAsync(context, lifetime, logger);
        if (signIn is null) return;
        var (_, socket, peer, hello) = signIn;
        var ct = context.RequestAborted;
        string? token = TokenOf(hello.Text);
        var check = await tokens.ResolveAsync(token, ct);
        if (check.Caller is not { } caller)
        {
            string why = token is null ? "no token: the first message must be {\"token\":\"...\"}" : check.Refusal;
            audit.Record(new AuditRecord(DateTimeOffset.UtcNow, token is null ? "anonymous" : "unknown-token", "console-sign-in", "Unauthenticated", Peer: peer, Transport: Transport, Detail: why));
            await socket.SendAsync(ConsoleMessages.Refused(null, "Unauthenticated", why));
            // The page shows the close reason: the refusal itself, within the 123 bytes a close frame's reason may take.
            await socket.CloseAsync(Unauthorized, token is null ? "no token" : System.Text.Encoding.UTF8.GetByteCount(why) <= 123 ? why : TokenCheck.NotRecognised);
            return;
        }
        audit.Record(new AuditRecord(DateTimeOffset.UtcNow, caller!.Subject, "console-sign-in", "OK", Role: caller.Role.ToString(), Peer: peer, Transport: Transport));
        var lease = services.GetRequiredService<PedalLease>();
        await socket.SendAsync(ConsoleMessages.Welcome(caller.Subject, caller.Role.ToString().ToLowerInvariant(),
            (int)lease.Window.TotalMilliseconds, (int)lease.RenewInterval.TotalMilliseconds));
        if (!caller.Has(StationRole.Technician))
        {
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "observer: the console is for technicians");
            return;
        }
        var session = ActivatorUtilities.CreateInstance<ConsoleSession>(services, socket, caller, peer);
        try
        {
            await session.RunAsync(ct);
        }
        catch (Exception e) when (e is OperationCanceledException || IsHangUp(e))
        {
            logger.LogInformation("console {Peer} hung up", peer);
        }
        finally
        {
            audit.Record(new AuditRecord(DateTimeOffset.UtcNow, caller.Subject, "console-end", "OK", Role: caller.Role.ToString(), Peer: peer, Transport: Transport,
                Detail: $"commands {session.Commands}, malformed {session.Malformed}"));
        }
    }

    internal static bool IsHangUp(Exception e) => e is WebSocketException or IOException or Microsoft.AspNetCore.Connections.ConnectionResetException;

    private static string? TokenOf(string? text)
    {
        if (text is null) return null;
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("token", out var t) && t.ValueKind == JsonValueKind.String
                ? t.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
