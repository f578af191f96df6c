using System.Text.Json;
using System.Text.Json.Serialization;

namespace CathLab.Discussion;

/// <summary>The one JSON shape of the protocol: camelCase names, nulls left out.</summary>
internal static class DiscussionJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Read<T>(JsonElement element) => element.Deserialize<T>(Options) ?? throw new JsonException($"no {typeof(T).Name}");
}
