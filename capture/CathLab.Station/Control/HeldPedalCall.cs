using CathLab.FirmwareBridge.Exposure;
using Grpc.Core;
using Proto = CathLab.Station.Protocol;

namespace CathLab.Station.Control;

/// <summary>One <c>HoldPedal</c> call: the pedal as a dead-man. The first message presses; the pedal stays down while
/// renewals keep arriving within the lease; a release, the end of the client's stream, a renewal missing for the lease,
/// the call's loss, or the press ending by itself (the exposure controller signals it: a fault, a maximum hold, the
/// run's length limit, the dose-rate limiter) releases it. The release is never cancelled with the call: it always
/// reaches the station, and emission stops within one pulse of it.</summary>
public sealed class HeldPedalCall(IStationControl station, IExposurePresses presses, PedalLease lease, TimeProvider time)
{
    public const string Released = "released";
    public const string StreamEnded = "stream ended";
    public const string LeaseExpired = "lease expired";
    public const string ConnectionLost = "connection lost";

    /// <summary>What the call did, for the audit trail.</summary>
    public delegate void Recorder(string action, string outcome, string? detail);

    public async Task RunAsync(IAsyncStreamReader<Proto.PedalHoldRequest> requests, IServerStreamWriter<Proto.PedalHoldReply> replies,
        CancellationToken callToken, Recorder record)
    {
        var press = await FirstPressAsync(requests, callToken, record);
        var source = press.Origin == Proto.PedalOrigin.Browser ? InputSource.Browser : InputSource.Console;
        string? laterality = press.Laterality switch { "" => null, "-" => "", var side => side };
        string? protocol = press.Protocol.Length == 0 ? null : press.Protocol;
        string origin = source.ToString().ToLowerInvariant();
        RunView run;
        // Watched before the press, so a press that ends at once is not missed.
        using var pressed = presses.WatchNextPress(source);
        try
        {
            run = await station.PedalDownAsync(protocol, callToken, laterality, source);
        }
        catch (Exception e) when (ControlFailures.StatusOf(e) is { } status)
        {
            record("pedal-down", status.ToString(), $"{origin}: {e.Message}");
            throw new RpcException(new Status(status, e.Message));
        }
        record("pedal-down", "OK", $"{origin} hold{(protocol is null ? "" : ", " + protocol)}{(laterality is { Length: > 0 } ? " side " + laterality : "")}");

        string reason;
        try
        {
            await replies.WriteAsync(new Proto.PedalHoldReply
            {
                Held = new Proto.PedalHeld { Run = ControlReplies.Run(run), LeaseMs = (uint)lease.Window.TotalMilliseconds, RenewIntervalMs = (uint)lease.RenewInterval.TotalMilliseconds },
            }, callToken);
            reason = await HoldAsync(requests, run.Number, pressed.Ended, callToken);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException or RpcException)
        {
            reason = ConnectionLost;
        }

        var closed = await station.PedalUpAsync(CancellationToken.None, source, reason);
        record("pedal-up", "OK", $"{origin}: {reason}");
        if (callToken.IsCancellationRequested) return;
        try
        {
            await replies.WriteAsync(new Proto.PedalHoldReply { Released = new Proto.PedalReleased { Run = ControlReplies.Run(closed), Reason = reason } }, callToken);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
            // The client went away after the release: the pedal is up either way.
        }
    }

    private async Task<Proto.PedalPress> FirstPressAsync(IAsyncStreamReader<Proto.PedalHoldRequest> requests, CancellationToken callToken, Recorder record)
    {
        using var first = CancellationTokenSource.CreateLinkedTokenSource(callToken);
        first.CancelAfter(lease.Window);
        bool got;
        try
        {
            got = await requests.MoveNext(first.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException && !callToken.IsCancellationRequested)
        {
            throw Invalid(record, $"no press within the lease of {lease.Window.TotalMilliseconds:0} ms");
        }
        if (!got || requests.Current.ActionCase != Proto.PedalHoldRequest.ActionOneofCase.Press)
            throw Invalid(record, "the first message of HoldPedal must be press");
        if (ControlRequestRules.Problem(requests.Current.Press) is { } problem) throw Invalid(record, problem);
        return requests.Current.Press;
    }

    private static RpcException Invalid(Recorder record, string why)
    {
        record("pedal-down", nameof(StatusCode.InvalidArgument), why);
        return new RpcException(new Status(StatusCode.InvalidArgument, why));
    }

    /// <summary>Waits until the pedal comes up and says why. Every message from the client renews the lease.</summary>
    private async Task<string> HoldAsync(IAsyncStreamReader<Proto.PedalHoldRequest> requests, int runNumber, Task<string> pressEnded, CancellationToken callToken)
    {
        using var holding = CancellationTokenSource.CreateLinkedTokenSource(callToken);
        var read = requests.MoveNext(holding.Token);
        try
        {
            while (true)
            {
                var deadline = time.GetTimestamp() + (long)(lease.Window.TotalSeconds * time.TimestampFrequency);
                while (!read.IsCompleted)
                {
                    var remaining = time.GetElapsedTime(time.GetTimestamp(), deadline);
                    if (remaining <= TimeSpan.Zero) return LeaseExpired;
                    if (pressEnded.IsCompleted) return $"run {runNumber} ended by the station: {await pressEnded}";
                    await Task.WhenAny(read, pressEnded, Task.Delay(remaining, time, holding.Token));
                }
                if (!await read) return StreamEnded;
                switch (requests.Current.ActionCase)
                {
                    case Proto.PedalHoldRequest.ActionOneofCase.Renew:
                        read = requests.MoveNext(holding.Token);
                        continue;
                    case Proto.PedalHoldRequest.ActionOneofCase.Release:
                        return Released;
                    default:
                        return $"{Released} (an unexpected {requests.Current.ActionCase} message)";
                }
            }
        }
        finally
        {
            holding.Cancel();
            try { await read; } catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException or RpcException) { }
        }
    }
}

/// <summary>The pedal's lease: the pedal comes up when no message arrives for <see cref="Window"/>; clients renew every
/// <see cref="RenewInterval"/> (a third of it, so one late renewal does not release).</summary>
public sealed record PedalLease(TimeSpan Window)
{
    public const int MinMs = 100;
    public const int MaxMs = 2000;
    public const int DefaultMs = 300;

    public TimeSpan RenewInterval => Window / 3;
}
