using System.Net.WebSockets;
using System.Text.Json;
using CathLab.Security.Audit;
using CathLab.LiveFeed.Protocol;
using CathLab.Security.Access;
using CathLab.LiveFeed.Review;
using CathLab.LiveFeed.Sessions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CathLab.LiveFeed.Web;

/// <summary>The browser viewer: its page and script, and the WebSocket that feeds it through the same
/// observer session logic as gRPC. The token comes in the first WebSocket message, never in the URL. A malformed
/// message (too long, not JSON, not one the protocol has) is closed with 1007 and audited as InvalidArgument; a peer
/// that hangs up is logged once, as information. When the host shuts down, every session is closed at once with 1001,
/// which tells the page to come back (a normal close, 1000, tells it the exam or its session ended).</summary>
internal sealed class ViewerEndpoint(LiveFeedHub hub, IAccessTokenResolver tokens, IAuditLog audit, RecordedRunLibrary library, IHostApplicationLifetime lifetime,
    ILogger<ViewerEndpoint> logger)
{
    private const int MaxClientMessageBytes = 4096;

    /// <summary>How long a session's writer may take to finish the send in progress once the session ends, and the peer
    /// to answer the close, before the socket is aborted.</summary>
    private static readonly TimeSpan LoopGrace = TimeSpan.FromSeconds(2);
    private const WebSocketCloseStatus Unauthorized = (WebSocketCloseStatus)4401;
    private const WebSocketCloseStatus Forbidden = (WebSocketCloseStatus)4403;
    private const WebSocketCloseStatus NotFound = (WebSocketCloseStatus)4404;

    public static async Task ServeResourceAsync(HttpContext context, string name, string contentType)
    {
        await using var stream = typeof(ViewerEndpoint).Assembly.GetManifestResourceStream("viewer/" + name)
            ?? throw new InvalidOperationException($"viewer resource {name} is missing from the assembly");
        context.Response.ContentType = contentType;
        context.Response.Headers.CacheControl = "no-store";
        await stream.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    public async Task AcceptAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var transport = new WebSocketObserverTransport(socket);
        string peer = $"{context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}";
        var ct = context.RequestAborted;
        var buffer = new byte[MaxClientMessageBytes];

        string? hello;
        try
        {
            hello = await ReadTextAsync(socket, buffer, ct);
        }
        catch (InvalidDataException bad)
        {
            await RefuseAsync(socket, transport, "anonymous", null, peer, WebSocketCloseStatus.InvalidPayloadData, "InvalidArgument", bad.Message, ct);
            return;
        }
        catch (Exception e) when (IsHangUp(e))
        {
            logger.LogInformation("viewer {Peer} hung up before its first message", peer);
            return;
        }
        if (!TryParseHello(hello, out var token, out var request, out var review, out var problem))
        {
            await RefuseAsync(socket, transport, "anonymous", null, peer, WebSocketCloseStatus.InvalidPayloadData, "InvalidArgument", problem!, ct);
            return;
        }
        var check = await tokens.ResolveAsync(token, ct);
        if (check.Caller is not { } caller)
        {
            await RefuseAsync(socket, transport, token is null ? "anonymous" : "unknown-token", request!.ExamId, peer, Unauthorized, "Unauthenticated", check.Refusal, ct);
            return;
        }
        if (!caller!.MayWatch(request!.ExamId))
        {
            await RefuseAsync(socket, transport, caller.Subject, request.ExamId, peer, Forbidden, "PermissionDenied", "the token does not allow this exam", ct);
            return;
        }

        if (review is not null)
        {
            await ReviewAsync(socket, transport, buffer, caller, review, peer, ct);
            return;
        }
        var session = hub.Join(caller, request.ExamId, request.BestTier == Tier.Lossless ? Tier.Diagnostic : request.BestTier, request.MaxFps, "websocket", peer, request.Codec);
        audit.Record(new AuditRecord(DateTimeOffset.UtcNow, caller.Subject, "watch-start", "OK", request.ExamId, caller.Role.ToString(), peer, "websocket",
            Detail: $"session {session.Id}, codec {(session.IsVideo ? "vp8" : "jpeg")}"));
        string outcome = "OK";
        try
        {
            outcome = await RunSessionAsync(socket, transport, session, stop => (ReadClientMessagesAsync(socket, buffer, session, ct), null), ct);
        }
        catch (Exception e) when (e is OperationCanceledException || IsHangUp(e))
        {
            outcome = "Cancelled";
        }
        finally
        {
            if (outcome == "Cancelled") logger.LogInformation("viewer {Peer} (session {Session}) hung up", peer, session.Id);
            hub.Leave(session);
            audit.Record(new AuditRecord(DateTimeOffset.UtcNow, caller.Subject, "watch-end", outcome, request.ExamId, caller.Role.ToString(), peer, "websocket",
                (DateTimeOffset.UtcNow - session.StartedAt).TotalSeconds, $"session {session.Id}, frames sent {session.FramesSent}, lost {session.FramesLost}, skipped {session.FramesSkipped}{(session.EndedWithExam ? ", exam ended" : "")}"));
        }
    }

    /// <summary>A review session: a recorded run played through an observer session (as over gRPC), on this socket.</summary>
    private async Task ReviewAsync(WebSocket socket, WebSocketObserverTransport transport, byte[] buffer, CallerIdentity caller, ReviewRequest request, string peer, CancellationToken ct)
    {
        if (library.Find(request.ExamId, request.RunId) is not { } entry)
        {
            await RefuseAsync(socket, transport, caller.Subject, request.ExamId, peer, NotFound, "NotFound", $"exam {request.ExamId} has no recorded run {request.RunId}", ct);
            return;
        }
        using var player = new ReviewPlayer(request.ExamId, TimeProvider.System);
        var session = new ObserverSession(player, caller, request.ExamId, request.BestTier == Tier.Lossless ? Tier.Diagnostic : request.BestTier, 0, "websocket", peer);
        player.Attach(session);
        player.Request(request, entry);
        audit.Record(new AuditRecord(DateTimeOffset.UtcNow, caller.Subject, "review-start", "OK", request.ExamId, caller.Role.ToString(), peer, "websocket",
            Detail: $"session {session.Id}, run {request.RunId} from frame {Math.Max(1u, request.StartFrame)}"));
        string outcome = "OK";
        try
        {
            outcome = await RunSessionAsync(socket, transport, session, stop => (ReadReviewMessagesAsync(socket, buffer, caller, session, player, peer, ct), player.RunAsync(stop)), ct);
        }
        catch (Exception e) when (e is OperationCanceledException || IsHangUp(e))
        {
            outcome = "Cancelled";
        }
        finally
        {
            if (outcome == "Cancelled") logger.LogInformation("viewer {Peer} (review session {Session}) hung up", peer, session.Id);
            audit.Record(new AuditRecord(DateTimeOffset.UtcNow, caller.Subject, "review-end", outcome, request.ExamId, caller.Role.ToString(), peer, "websocket",
                (DateTimeOffset.UtcNow - session.StartedAt).TotalSeconds, $"session {session.Id}, frames played {player.FramesPlayed}, sent {session.FramesSent}, lost {session.FramesLost}"));
        }
    }

    /// <summary>Runs a session's writer beside the client's reader (and a player, for a review) until one ends, then closes
    /// the socket with the code that says why. Returns the outcome to audit.</summary>
    private async Task<string> RunSessionAsync(WebSocket socket, WebSocketObserverTransport transport, ObserverSession session,
        Func<CancellationToken, (Task Reader, Task? Player)> start, CancellationToken ct)
    {
        var shuttingDown = lifetime.ApplicationStopping;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct, session.Stopping, shuttingDown);
        // Neither loop's socket call is cancelled by the session's end: a cancelled WebSocket call aborts the
        // connection, and the observer would get no close code. The reader ends when the peer answers the close.
        var writer = session.RunWriterAsync(transport, stop.Token);
        var (reader, player) = start(stop.Token);
        await Task.WhenAny(player is null ? [writer, reader] : [writer, reader, player]);
        stop.Cancel();
        if (player is not null) await FinishAsync(socket, player);
        bool writerFailed = !await FinishAsync(socket, writer);
        var bad = reader.IsFaulted ? reader.Exception?.InnerException as InvalidDataException : null;
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            var (close, why) = bad is not null ? (WebSocketCloseStatus.InvalidPayloadData, CloseReason(bad.Message))
                : session.EndedWithExam ? (WebSocketCloseStatus.NormalClosure, "exam ended")
                : shuttingDown.IsCancellationRequested ? (WebSocketCloseStatus.EndpointUnavailable, "the station is shutting down")
                : (WebSocketCloseStatus.NormalClosure, "session ended");
            await socket.CloseOutputAsync(close, why, CancellationToken.None);
        }
        bool readerFailed = !await FinishAsync(socket, reader);
        return bad is not null ? "InvalidArgument" : writerFailed || (readerFailed && !session.EndedWithExam) || ct.IsCancellationRequested ? "Cancelled" : "OK";
    }

    /// <summary>Waits for one of the session's loops, aborting the socket when it does not finish within the grace
    /// (a peer that stopped reading or answering).</summary>
    /// <returns>False when the loop failed (the peer went away) or had to be aborted.</returns>
    private static async Task<bool> FinishAsync(WebSocket socket, Task loop)
    {
        try
        {
            await loop.WaitAsync(LoopGrace);
            return true;
        }
        catch (TimeoutException)
        {
            socket.Abort();
            return false;
        }
        catch (InvalidDataException)
        {
            return true;
        }
        catch (Exception e) when (e is OperationCanceledException || IsHangUp(e))
        {
            return false;
        }
    }

    /// <summary>What a peer that goes away mid-conversation causes: not a fault of the station, not worth a stack trace.</summary>
    private static bool IsHangUp(Exception e) => e is WebSocketException or IOException or Microsoft.AspNetCore.Connections.ConnectionResetException;

    private async Task RefuseAsync(WebSocket socket, WebSocketObserverTransport transport, string subject, string? examId, string peer, WebSocketCloseStatus close, string status, string why, CancellationToken ct)
    {
        audit.Record(new AuditRecord(DateTimeOffset.UtcNow, subject, "watch", status, examId, Peer: peer, Transport: "websocket", Detail: why));
        if (socket.State != WebSocketState.Open) return;
        // CloseAsync reads (and discards) what the peer still sends until its close: leaving unread bytes behind
        // would make the connection's end a reset, which can lose the close frame on its way.
        using var grace = CancellationTokenSource.CreateLinkedTokenSource(ct);
        grace.CancelAfter(LoopGrace);
        try
        {
            await transport.SendErrorAsync(status, why);
            await socket.CloseAsync(close, CloseReason(why), grace.Token);
        }
        catch (Exception e) when (e is OperationCanceledException || IsHangUp(e))
        {
            logger.LogInformation("viewer {Peer} went away while being refused ({Status})", peer, status);
        }
    }

    /// <summary>A close reason fits in 123 bytes of UTF-8 (RFC 6455, 5.5: control frames carry at most 125).</summary>
    private static string CloseReason(string why) => why.Length <= 100 && System.Text.Encoding.UTF8.GetByteCount(why) <= 123 ? why : why[..Math.Min(why.Length, 60)] + "...";

    internal static bool TryParseHello(string? text, out string? token, out WatchRequest? request, out ReviewRequest? review, out string? problem)
    {
        token = null;
        request = null;
        review = null;
        problem = null;
        if (text is null)
        {
            problem = "the first message must be a JSON text message with token and examId";
            return false;
        }
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new JsonException("not an object");
            token = root.TryGetProperty("token", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            string exam = root.TryGetProperty("examId", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString()! : "";
            string tier = root.TryGetProperty("bestTier", out var b) && b.ValueKind == JsonValueKind.String ? b.GetString()! : "diagnostic";
            double maxFps = root.TryGetProperty("maxFps", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetDouble() : 0;
            string codec = root.TryGetProperty("codec", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : "jpeg";
            request = new WatchRequest { ExamId = exam, MaxFps = (float)maxFps };
            request.Codec = codec.ToLowerInvariant() switch
            {
                "jpeg" => ImageEncoding.Jpeg,
                "vp8" => ImageEncoding.Vp8,
                _ => (ImageEncoding)(-1),
            };
            request.BestTier = tier.ToLowerInvariant() switch
            {
                "lossless" => Tier.Lossless,
                "diagnostic" => Tier.Diagnostic,
                "preview" => Tier.Preview,
                _ => (Tier)(-1),
            };
            problem = WatchRequestValidator.Problem(request);
            if (problem is null && root.TryGetProperty("review", out var r))
            {
                review = ParseReview(r, exam, request.BestTier);
                problem = ReviewRequestValidator.Problem(review);
            }
            return problem is null;
        }
        catch (JsonException e)
        {
            problem = $"the first message is not valid JSON: {e.Message}";
            return false;
        }
    }

    /// <summary>{"runId", "startFrame", "fps", "frameCount", "loop"}; the exam and tier are the hello's.</summary>
    private static ReviewRequest ParseReview(JsonElement r, string examId, Tier tier)
    {
        if (r.ValueKind != JsonValueKind.Object) throw new JsonException("review is not an object");
        return new ReviewRequest
        {
            ExamId = examId,
            BestTier = tier,
            RunId = r.TryGetProperty("runId", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString()! : "",
            StartFrame = r.TryGetProperty("startFrame", out var s) && s.TryGetUInt32(out var start) ? start : 0,
            Fps = r.TryGetProperty("fps", out var f) && f.ValueKind == JsonValueKind.Number ? (float)f.GetDouble() : 0,
            FrameCount = r.TryGetProperty("frameCount", out var c) && c.TryGetUInt32(out var count) ? count : 0,
            Loop = r.TryGetProperty("loop", out var l) && l.ValueKind == JsonValueKind.True,
            ClientName = "browser",
        };
    }

    private Task ReadReviewMessagesAsync(WebSocket socket, byte[] buffer, CallerIdentity caller, ObserverSession session, ReviewPlayer player, string peer, CancellationToken ct) =>
        ReadJsonMessagesAsync(socket, buffer, session, "expected {\"ack\":n}, {\"review\":{...}}, {\"pause\":true} or {\"maxFps\":x}", root =>
        {
            if (root.TryGetProperty("pause", out var pause) && pause.ValueKind == JsonValueKind.True)
            {
                player.Pause();
                return true;
            }
            if (!root.TryGetProperty("review", out var r)) return false;
            var request = ParseReview(r, session.ExamId, Tier.Unspecified);
            if (ReviewRequestValidator.Problem(request) is { } problem) throw new InvalidDataException(problem);
            if (library.Find(request.ExamId, request.RunId) is not { } entry)
            {
                player.Refused(request.RunId, $"exam {request.ExamId} has no recorded run {request.RunId}");
                return true;
            }
            player.Request(request, entry);
            audit.Record(new AuditRecord(DateTimeOffset.UtcNow, caller.Subject, "review-run", "OK", request.ExamId, caller.Role.ToString(), peer, "websocket",
                Detail: $"session {session.Id}, run {request.RunId} from frame {Math.Max(1u, request.StartFrame)}"));
            return true;
        }, ct);

    private Task ReadClientMessagesAsync(WebSocket socket, byte[] buffer, ObserverSession session, CancellationToken ct) =>
        ReadJsonMessagesAsync(socket, buffer, session, "expected {\"ack\":n}, {\"mark\":n}, {\"keyFrame\":true} or {\"maxFps\":x}", root =>
        {
            if (root.TryGetProperty("keyFrame", out var key) && key.ValueKind == JsonValueKind.True)
            {
                session.RequestKeyFrame();
                return true;
            }
            if (!root.TryGetProperty("mark", out var mark) || !mark.TryGetInt64(out long k)) return false;
            hub.Mark(session.ExamId, k);
            return true;
        }, ct);

    /// <summary>The client's JSON messages until it closes: acknowledgements and rate caps for any session, the rest by
    /// <paramref name="handle"/>; a message none of them takes is the client's error.</summary>
    private static async Task ReadJsonMessagesAsync(WebSocket socket, byte[] buffer, ObserverSession session, string expected, Func<JsonElement, bool> handle, CancellationToken ct)
    {
        while (true)
        {
            var text = await ReadTextAsync(socket, buffer, ct);
            if (text is null) return;
            try
            {
                using var doc = JsonDocument.Parse(text);
                var root = doc.RootElement;
                if (root.TryGetProperty("ack", out var ack) && ack.TryGetInt64(out long a)) session.OnAck(a);
                else if (root.TryGetProperty("maxFps", out var cap) && cap.ValueKind == JsonValueKind.Number && WatchRequestValidator.RateCapProblem(cap.GetDouble()) is null) session.SetRateCap(cap.GetDouble());
                else if (!handle(root)) throw new InvalidDataException(expected);
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"not valid JSON: {e.Message}");
            }
        }
    }

    /// <summary>One whole text message, or null when the peer closed (or sent something other than text).</summary>
    private static async Task<string?> ReadTextAsync(WebSocket socket, byte[] buffer, CancellationToken ct)
    {
        int count = 0;
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(count), ct);
            if (result.MessageType == WebSocketMessageType.Close) return null;
            count += result.Count;
            if (result.EndOfMessage) break;
            if (count == buffer.Length) throw new InvalidDataException($"a client message is longer than {MaxClientMessageBytes} bytes");
        }
        return System.Text.Encoding.UTF8.GetString(buffer, 0, count);
    }
}
