using System.Text;
using System.Text.Json;
using CathLab.Security.Access;
using CathLab.Security.Sessions;
using CathLab.Station.Invitations;
using CathLab.Security.Audit;
using CathLab.Station.Control;
using CathLab.Station.Exam;
using Grpc.Core;
using Proto = CathLab.Station.Protocol;

namespace CathLab.Station.Web;

/// <summary>One signed-in technician's console socket: pushes the status when it changes, runs commands through the
/// control service (concurrently: a long command does not hold up the exposure button's renewals), and carries at
/// most one held exposure button. A message it cannot read is counted and answered, never fatal. When the socket
/// goes, a held button is released as a lost connection.</summary>
internal sealed class ConsoleSession(ConsoleSocket socket, CallerIdentity caller, string peer, IServiceProvider services, IStationControl station,
    MethodPolicy policy, IAuditLog audit, TimeProvider time, SessionLifetimes sessions, ExamSession? exams = null)
{
    /// <summary>How often the status is looked at; it is sent only when it changed.</summary>
    public static readonly TimeSpan StatusInterval = TimeSpan.FromMilliseconds(100);

    private const int OutboxItemsShown = 20;
    private readonly ConsoleServices _service = new(ActivatorUtilities.CreateInstance<StationControlService>(services),
        ActivatorUtilities.CreateInstance<InvitationControlService>(services));
    private readonly List<Task> _commands = [];
    private ConsoleHoldRequests? _holdRequests;
    private ConsoleHoldReplies? _holdReplies;
    private Task _hold = Task.CompletedTask;
    private IReadOnlyList<RunView> _lastRuns = [];
    private string? _lastRunsExam;
    private int _malformed;
    private int _commandCount;

    public int Malformed => _malformed;
    public int Commands => _commandCount;

    public async Task RunAsync(CancellationToken ct)
    {
        using var session = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var pushing = PushStatusAsync(session.Token);
        try
        {
            while (await socket.ReceiveAsync(session.Token) is { } message)
            {
                sessions.Touch(caller);
                if (message.Text is null) await MalformedAsync(null, message.Problem!);
                else await DispatchAsync(message.Text, session.Token);
            }
            _holdRequests?.End();
        }
        finally
        {
            // Cancelled before the button's call is awaited: a socket gone with the button held is a lost connection.
            session.Cancel();
            await Task.WhenAll([_hold, pushing, .. _commands]).ContinueWith(_ => { }, TaskScheduler.Default);
            await socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "session ended");
        }
    }

    private async Task DispatchAsync(string text, CancellationToken ct)
    {
        long? id = null;
        string command;
        string request;
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new JsonException("a message is a JSON object");
            if (root.TryGetProperty("id", out var i)) id = i.TryGetInt64(out long n) ? n : throw new JsonException("id must be an integer");
            command = root.TryGetProperty("command", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : throw new JsonException("command is missing");
            request = root.TryGetProperty("request", out var r) ? r.ValueKind == JsonValueKind.Object ? r.GetRawText() : throw new JsonException("request must be an object") : "{}";
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            await MalformedAsync(id, $"not a console message: {e.Message}");
            return;
        }

        bool pedal = command is "Press" or "Renew" or "Release";
        if (!pedal && !ConsoleCommands.ByName.ContainsKey(command))
        {
            await MalformedAsync(id, $"unknown command '{command}'");
            return;
        }
        string method = ConsoleCommands.MethodOf(pedal ? "HoldPedal" : command);
        var needed = policy.RoleFor(method);
        if (!caller.Has(needed))
        {
            audit.Record(new AuditRecord(time.GetUtcNow(), caller.Subject, method, nameof(StatusCode.PermissionDenied), Role: caller.Role.ToString(), Peer: peer,
                Transport: ConsoleEndpoint.Transport, Detail: $"{method} needs the {needed} role"));
            await socket.SendAsync(ConsoleMessages.Refused(id, nameof(StatusCode.PermissionDenied), $"{command} needs the {needed} role"));
            return;
        }
        Interlocked.Increment(ref _commandCount);
        if (pedal) await PedalAsync(command, id ?? 0, request, ct);
        else
        {
            lock (_commands)
            {
                _commands.RemoveAll(t => t.IsCompleted);
                _commands.Add(RunCommandAsync(command, id ?? 0, request, ct));
            }
        }
    }

    private async Task RunCommandAsync(string command, long id, string request, CancellationToken ct)
    {
        var context = new ConsoleCallContext(ConsoleCommands.MethodOf(command), peer, caller, ct);
        string answer;
        try
        {
            answer = ConsoleMessages.Reply("ack", id, await ConsoleCommands.ByName[command](_service, request, context));
        }
        catch (RpcException e)
        {
            answer = ConsoleMessages.Refused(id, e.StatusCode.ToString(), e.Status.Detail);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return;
        }
        await socket.SendAsync(answer);
    }

    private async Task PedalAsync(string command, long id, string request, CancellationToken ct)
    {
        Proto.PedalHoldRequest message;
        try
        {
            message = ConsoleCommands.PedalMessage(command, request)!;
        }
        catch (RpcException e)
        {
            await socket.SendAsync(ConsoleMessages.Refused(id, e.StatusCode.ToString(), e.Status.Detail));
            return;
        }
        if (command != "Press")
        {
            // A renewal or release with no button held (it came up already) is late, not wrong.
            if (!_hold.IsCompleted) _holdRequests?.Add(message);
            return;
        }
        // A page that was told "released" may press again before the call behind that answer has returned.
        if (!_hold.IsCompleted && _holdReplies?.Released == true) await _hold.WaitAsync(ct);
        if (!_hold.IsCompleted)
        {
            await socket.SendAsync(ConsoleMessages.Refused(id, nameof(StatusCode.FailedPrecondition), "the exposure button is already held"));
            return;
        }
        var requests = new ConsoleHoldRequests();
        requests.Add(message);
        _holdRequests = requests;
        _holdReplies = new ConsoleHoldReplies(socket, id);
        _hold = HoldAsync(requests, _holdReplies, id, ct);
    }

    private async Task HoldAsync(ConsoleHoldRequests requests, ConsoleHoldReplies replies, long id, CancellationToken ct)
    {
        var context = new ConsoleCallContext(ConsoleCommands.MethodOf("HoldPedal"), peer, caller, ct);
        try
        {
            await _service.Control.HoldPedal(requests, replies, context);
        }
        catch (RpcException e)
        {
            await socket.SendAsync(ConsoleMessages.Refused(id, e.StatusCode.ToString(), e.Status.Detail));
        }
    }

    private async Task MalformedAsync(long? id, string problem)
    {
        int count = Interlocked.Increment(ref _malformed);
        audit.Record(new AuditRecord(time.GetUtcNow(), caller.Subject, "console-message", nameof(StatusCode.InvalidArgument), station.Status.Exam?.ExamId,
            caller.Role.ToString(), peer, ConsoleEndpoint.Transport, Detail: problem));
        await socket.SendAsync(ConsoleMessages.Refused(id, nameof(StatusCode.InvalidArgument), problem, count));
    }

    private async Task PushStatusAsync(CancellationToken ct)
    {
        var context = new ConsoleCallContext(ConsoleCommands.MethodOf("GetStatus"), peer, caller, ct);
        using var ticks = new PeriodicTimer(StatusInterval, time);
        string? last = null;
        try
        {
            do
            {
                string status = await StatusMessageAsync(context);
                if (status != last && !await socket.SendAsync(status)) return;
                last = status;
            }
            while (await ticks.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The socket went: the pushes end with it.
        }
    }

    private async Task<string> StatusMessageAsync(ServerCallContext context)
    {
        var status = await _service.Control.GetStatus(new Proto.GetStatusRequest(), context);
        var text = new StringBuilder(2048);
        text.Append("{\"type\":\"status\",\"status\":").Append(ConsoleMessages.Formatter.Format(status)).Append(",\"runs\":[");
        var runs = RunsOf(status.Exam?.ExamId);
        for (int i = 0; i < runs.Count; i++) text.Append(i == 0 ? "" : ",").Append(ConsoleMessages.Formatter.Format(ControlReplies.Run(runs[i])));
        text.Append("],\"outbox\":[");
        var outbox = station.Outbox;
        for (int i = 0; i < Math.Min(outbox.Count, OutboxItemsShown); i++) text.Append(i == 0 ? "" : ",").Append(ConsoleMessages.Formatter.Format(ControlReplies.OutboxItem(outbox[i])));
        return text.Append("]}").ToString();
    }

    /// <summary>The open exam's runs; once it closes, the runs it had, as long as the status still shows that exam.</summary>
    private IReadOnlyList<RunView> RunsOf(string? examId)
    {
        if (exams?.Current is { } open)
        {
            _lastRuns = open.Runs;
            _lastRunsExam = open.ExamId;
        }
        else if (examId != _lastRunsExam)
        {
            _lastRuns = [];
        }
        return _lastRuns;
    }
}
