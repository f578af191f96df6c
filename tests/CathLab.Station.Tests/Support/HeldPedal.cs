using Grpc.Core;
using Proto = CathLab.Station.Protocol;

namespace CathLab.Station.Tests.Support;

/// <summary>A held pedal on the station's <c>HoldPedal</c> stream, as a test drives it: pressed, renewed in the
/// background at the station's interval, then released, stalled (renewals stop, the call stays open) or abandoned
/// (the call cancelled, as a dying client's transport would be).</summary>
internal sealed class HeldPedal : IDisposable
{
    private readonly AsyncDuplexStreamingCall<Proto.PedalHoldRequest, Proto.PedalHoldReply> _call;
    private readonly CancellationTokenSource _abandon;
    private readonly CancellationTokenSource _stopRenewing = new();
    private readonly Task _renewing;

    private HeldPedal(AsyncDuplexStreamingCall<Proto.PedalHoldRequest, Proto.PedalHoldReply> call, Proto.PedalHeld held, CancellationTokenSource abandon)
    {
        _call = call;
        _abandon = abandon;
        Held = held;
        _renewing = RenewAsync(TimeSpan.FromMilliseconds(held.RenewIntervalMs));
    }

    public Proto.PedalHeld Held { get; }

    public Proto.RunInfo Run => Held.Run;

    /// <summary>The call's status once it has ended.</summary>
    public Status CallStatus => _call.GetStatus();

    /// <summary>Sends <paramref name="press"/> and waits for the station's confirmation; a refused press comes out as the
    /// call's <see cref="RpcException"/>.</summary>
    public static async Task<HeldPedal> PressAsync(Proto.StationControl.StationControlClient control, Metadata headers, Proto.PedalPress press)
    {
        var abandon = new CancellationTokenSource();
        var call = control.HoldPedal(headers, cancellationToken: abandon.Token);
        try
        {
            await call.RequestStream.WriteAsync(new Proto.PedalHoldRequest { Press = press });
            if (!await call.ResponseStream.MoveNext(CancellationToken.None) || call.ResponseStream.Current.EventCase != Proto.PedalHoldReply.EventOneofCase.Held)
                throw new InvalidOperationException("the station did not confirm the press");
        }
        catch
        {
            call.Dispose();
            abandon.Dispose();
            throw;
        }
        return new HeldPedal(call, call.ResponseStream.Current.Held, abandon);
    }

    /// <summary>A console's press of <paramref name="protocol"/> (empty: the selected one).</summary>
    public static Proto.PedalPress Console(string protocol = "") => new() { Protocol = protocol, Origin = Proto.PedalOrigin.Console };

    private async Task RenewAsync(TimeSpan interval)
    {
        try
        {
            while (!_stopRenewing.IsCancellationRequested)
            {
                await Task.Delay(interval, _stopRenewing.Token);
                await _call.RequestStream.WriteAsync(new Proto.PedalHoldRequest { Renew = new Proto.PedalRenew() });
            }
        }
        catch (Exception e) when (e is OperationCanceledException or RpcException or InvalidOperationException)
        {
        }
    }

    /// <summary>Releases and returns what the run became and why the station says it came up.</summary>
    public async Task<Proto.PedalReleased> ReleaseAsync()
    {
        await StopRenewingAsync();
        await _call.RequestStream.WriteAsync(new Proto.PedalHoldRequest { Release = new Proto.PedalRelease() });
        await _call.RequestStream.CompleteAsync();
        return await ReleasedAsync();
    }

    /// <summary>The station's own release (lease expired, run ended by the station), read from the stream: the last
    /// message of the call.</summary>
    public async Task<Proto.PedalReleased> ReleasedAsync()
    {
        if (!await _call.ResponseStream.MoveNext(CancellationToken.None) || _call.ResponseStream.Current.EventCase != Proto.PedalHoldReply.EventOneofCase.Released)
            throw new InvalidOperationException("the hold ended without a release reply");
        var released = _call.ResponseStream.Current.Released;
        if (await _call.ResponseStream.MoveNext(CancellationToken.None)) throw new InvalidOperationException("a message after the release");
        return released;
    }

    /// <summary>Stops renewing but keeps the call open: what a stalled network path looks like to the station.</summary>
    public Task StallAsync() => StopRenewingAsync();

    /// <summary>Cancels the call: the transport's loss, as the station sees a client that died.</summary>
    public void Abandon() => _abandon.Cancel();

    private async Task StopRenewingAsync()
    {
        _stopRenewing.Cancel();
        await _renewing;
    }

    public void Dispose()
    {
        _stopRenewing.Cancel();
        _abandon.Cancel();
        _call.Dispose();
        _abandon.Dispose();
    }
}
