extern alias console;
using Grpc.Core;
using Proto = console::CathLab.Station.Protocol;

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

    public static async Task<HeldPedal> PressAsync(Proto.StationControl.StationControlClient control, Metadata headers, string protocol)
    {
        var abandon = new CancellationTokenSource();
        var call = control.HoldPedal(headers, cancellationToken: abandon.Token);
        await call.RequestStream.WriteAsync(new Proto.PedalHoldRequest { Press = new Proto.PedalPress { Protocol = protocol, Origin = Proto.PedalOrigin.Console } });
        if (!await call.ResponseStream.MoveNext(CancellationToken.None) || call.ResponseStream.Current.EventCase != Proto.PedalHoldReply.EventOneofCase.Held)
        {
            call.Dispose();
            throw new InvalidOperationException("the station did not confirm the press");
        }
        return new HeldPedal(call, call.ResponseStream.Current.Held, abandon);
    }

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

    /// <summary>The station's own release (lease expired, run ended by the station), read from the stream.</summary>
    public async Task<Proto.PedalReleased> ReleasedAsync()
    {
        if (!await _call.ResponseStream.MoveNext(CancellationToken.None) || _call.ResponseStream.Current.EventCase != Proto.PedalHoldReply.EventOneofCase.Released)
            throw new InvalidOperationException("the hold ended without a release reply");
        return _call.ResponseStream.Current.Released;
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
