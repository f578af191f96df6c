using System.Net.WebSockets;
using System.Text.Json;
using CathLab.Discussion;
using CathLab.Security.Access;
using CathLab.Security.Audit;
using CathLab.Station.Web;

namespace CathLab.Station.Discussion;

/// <summary>The case discussion's WebSocket (<see cref="Path"/>): the first message carries the token, the exam and
/// optionally the name shown; the answer is the whole discussion (<c>state</c>), then operations in and events out.
/// Protocol: docs/discussion.md.</summary>
internal sealed class DiscussionEndpoint(DiscussionRegistry discussions, IAccessTokenResolver tokens, IAuditLog audit, TimeProvider clock,
    IHostApplicationLifetime lifetime, ILogger<DiscussionEndpoint> logger)
{
    public const string Path = "/ws/discussion";
    private const WebSocketCloseStatus Unauthorized = (WebSocketCloseStatus)4401;
    private const WebSocketCloseStatus BadHello = (WebSocketCloseStatus)4400;
    private const WebSocketCloseStatus Forbidden = (WebSocketCloseStatus)4403;

    public async Task AcceptAsync(HttpContext context)
    {
        using var signIn = await WebSocketSignIn.AcceptAsync(context, lifetime, logger);
        if (signIn is null) return;
        var (_, socket, peer, hello) = signIn;
        var ct = context.RequestAborted;
        var (token, examId, name) = HelloOf(hello.Text);
        var check = await tokens.ResolveAsync(token, ct);
        if (check.Caller is not { } caller)
        {
            string why = token is null ? "no token: the first message must be {\"token\":\"...\",\"examId\":\"...\"}" : check.Refusal;
            audit.Record(new AuditRecord(clock.GetUtcNow(), token is null ? "anonymous" : "unknown-token", "discussion-join", "Unauthenticated", examId, Peer: peer,
                Transport: DiscussionCoordinator.Transport, Detail: why));
            await RefuseAsync(socket, Unauthorized, why);
            return;
        }
        if (string.IsNullOrWhiteSpace(examId))
        {
            await RefuseAsync(socket, BadHello, "the first message names the exam: {\"token\":\"...\",\"examId\":\"...\"}");
            return;
        }
        if (!caller!.MayWatch(examId))
        {
            audit.Record(new AuditRecord(clock.GetUtcNow(), caller.Subject, "discussion-join", "PermissionDenied", examId, caller.Role.ToString(), peer, DiscussionCoordinator.Transport));
            await RefuseAsync(socket, Forbidden, $"{caller.Subject} may not watch exam {examId}");
            return;
        }
        var coordinator = discussions.For(examId);
        var outgoing = new DiscussionPeerSocket(socket, clock);
        var member = coordinator.Join(caller, name, outgoing, peer);
        using var sending = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var sender = outgoing.RunAsync(sending.Token);
        try
        {
            while (await socket.ReceiveAsync(ct) is { } incoming)
            {
                if (incoming.Text is null) outgoing.Post(DiscussionCoordinator.Refused("?", incoming.Problem!));
                else coordinator.Handle(member, incoming.Text);
            }
        }
        catch (Exception e) when (e is OperationCanceledException || ConsoleEndpoint.IsHangUp(e))
        {
            logger.LogInformation("discussion {Peer} hung up", peer);
        }
        finally
        {
            coordinator.Leave(member);
            outgoing.Complete();
            await sending.CancelAsync();
            await sender;
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye");
        }
    }

    private static async Task RefuseAsync(ConsoleSocket socket, WebSocketCloseStatus status, string why)
    {
        await socket.SendAsync(DiscussionCoordinator.Refused("hello", why));
        await socket.CloseAsync(status, why.Length > 100 ? why[..100] : why);
    }

    private static (string? Token, string? ExamId, string? Name) HelloOf(string? text)
    {
        if (text is null) return default;
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return default;
            return (StringOf(root, "token"), StringOf(root, "examId"), StringOf(root, "name"));
        }
        catch (JsonException)
        {
            return default;
        }
    }

    private static string? StringOf(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
