using System.Text.Json;
using NATS.Client.Core;

namespace CathLab.LiveFeed.Broker;

/// <summary>Reads the newest message a JetStream stream holds on one subject, through the stream's message-get API
/// (<c>$JS.API.STREAM.MSG.GET.{stream}</c> with <c>last_by_subj</c>): a request and its answer, no consumer on the
/// server. A relay that starts late begins with these instead of waiting for the next frame and event.</summary>
internal static class StreamLastMessage
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The message's stream sequence and body; null when the stream holds none on that subject or has no
    /// answer in time.</summary>
    public static async Task<(ulong Sequence, byte[] Data)?> ReadAsync(NatsConnection nats, string stream, string subject, CancellationToken cancellationToken)
    {
        byte[] request = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["last_by_subj"] = subject });
        NatsMsg<byte[]> reply;
        try
        {
            reply = await nats.RequestAsync<byte[], byte[]>($"$JS.API.STREAM.MSG.GET.{stream}", request,
                replyOpts: new NatsSubOpts { Timeout = AnswerTimeout }, cancellationToken: cancellationToken);
        }
        catch (Exception e) when (e is NatsException or TimeoutException)
        {
            return null;
        }
        return reply.Data is { } body ? Parse(body) : null;
    }

    /// <summary>The API's answer: <c>{"message":{"seq":N,"data":"base64",...}}</c>, or <c>{"error":{...}}</c> (no message).</summary>
    internal static (ulong Sequence, byte[] Data)? Parse(ReadOnlySpan<byte> answer)
    {
        try
        {
            using var document = JsonDocument.Parse(answer.ToArray());
            if (!document.RootElement.TryGetProperty("message", out var message)) return null;
            ulong sequence = message.GetProperty("seq").GetUInt64();
            byte[] data = message.TryGetProperty("data", out var body) && body.ValueKind == JsonValueKind.String ? body.GetBytesFromBase64() : [];
            return (sequence, data);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or KeyNotFoundException)
        {
            return null;
        }
    }
}
