using CathLab.Station.Protocol;
using Grpc.Core;

namespace CathLab.Console.Commands;

/// <summary>Holds the pedal through the station's <c>HoldPedal</c> stream for as long as the command runs: presses,
/// renews the lease at the interval the station gives, and releases when the hold's time is up, on Ctrl+C or SIGTERM,
/// or when the station ends the run. If this process dies or its connection stalls, the station releases the pedal by
/// itself when the lease runs out. What <c>cathlab pedal down</c>, <c>cathlab fluoro</c> and <c>cathlab cine</c> do.</summary>
public static class PedalHold
{
    /// <summary>How long the release may take to be answered.</summary>
    public static readonly TimeSpan ReleaseDeadline = TimeSpan.FromSeconds(30);

    /// <param name="seconds">how long to hold; null holds until <paramref name="cancellation"/> (Ctrl+C, SIGTERM)</param>
    public static async Task<int> RunAsync(StationClient station, TextWriter output, string? protocol, double? seconds, CancellationToken cancellation, string? side = null)
    {
        // The call is not cancelled by Ctrl+C: the release is sent on it first. Its own loss releases the pedal at the station.
        using var call = station.Control.HoldPedal(station.Call(CancellationToken.None));
        var press = new PedalPress { Protocol = protocol ?? "", Laterality = side ?? "", Origin = PedalOrigin.Console };
        await call.RequestStream.WriteAsync(new PedalHoldRequest { Press = press });
        var replies = call.ResponseStream;
        if (!await replies.MoveNext(CancellationToken.None) || replies.Current.EventCase != PedalHoldReply.EventOneofCase.Held)
            throw new RpcException(new Status(StatusCode.Internal, "the station did not confirm the pedal press"));
        var held = replies.Current.Held;
        output.WriteLine(StationText.Run(held.Run));

        var next = replies.MoveNext(CancellationToken.None);
        var renew = TimeSpan.FromMilliseconds(Math.Max(10, held.RenewIntervalMs));
        using var holdFor = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        if (seconds is { } s) holdFor.CancelAfter(TimeSpan.FromSeconds(s));
        bool endedByStation = false;
        while (!holdFor.IsCancellationRequested)
        {
            var tick = Task.Delay(renew, holdFor.Token);
            if (await Task.WhenAny(next, tick) == next)
            {
                endedByStation = true;
                break;
            }
            if (holdFor.IsCancellationRequested) break;
            await call.RequestStream.WriteAsync(new PedalHoldRequest { Renew = new PedalRenew() });
        }

        if (!endedByStation)
        {
            try
            {
                await call.RequestStream.WriteAsync(new PedalHoldRequest { Release = new PedalRelease() });
                await call.RequestStream.CompleteAsync();
            }
            catch (Exception e) when (e is RpcException or InvalidOperationException)
            {
                // The station already ended the hold; its reply says how.
            }
        }
        PedalReleased? released = null;
        try
        {
            if (await next.WaitAsync(ReleaseDeadline) && replies.Current.EventCase == PedalHoldReply.EventOneofCase.Released)
                released = replies.Current.Released;
        }
        catch (TimeoutException)
        {
        }
        if (released is null)
            throw new RpcException(new Status(StatusCode.Unavailable, "PEDAL RELEASE NOT CONFIRMED: the station releases the pedal when its lease runs out; check `cathlab status`"));
        output.WriteLine(StationText.Run(released.Run));
        bool interrupted = cancellation.IsCancellationRequested && seconds is not null;
        if (released.Reason != "released") output.WriteLine($"pedal released: {released.Reason}");
        else if (interrupted) output.WriteLine("interrupted: the pedal was released early");
        return interrupted || released.Run.State == RunState.Failed ? ExitCodes.Failure : ExitCodes.Success;
    }

    /// <summary>The protocol to expose with, checked against the station's list: <paramref name="wanted"/> when
    /// given, else the selected one, else (for fluoro) the first fluoro protocol; it must be one of <paramref name="kinds"/>.</summary>
    public static async Task<string> ChooseProtocolAsync(StationClient station, string? wanted, IReadOnlyCollection<RunKind> kinds, string command, CancellationToken cancellation)
    {
        var list = await station.Control.ListProtocolsAsync(new ListProtocolsRequest(), station.Call(cancellation));
        if (wanted is null)
        {
            var status = await station.Control.GetStatusAsync(new GetStatusRequest(), station.Call(cancellation));
            var selected = status.HasSelectedProtocol ? list.Protocols.FirstOrDefault(p => p.Name == status.SelectedProtocol) : null;
            var pick = selected is not null && kinds.Contains(selected.Kind) ? selected : list.Protocols.FirstOrDefault(p => kinds.Contains(p.Kind));
            return pick?.Name ?? throw new RpcException(new Status(StatusCode.FailedPrecondition, $"the station offers no {string.Join(" or ", kinds.Select(StationText.Kind))} protocol"));
        }
        var named = list.Protocols.FirstOrDefault(p => p.Name == wanted)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"the station has no protocol '{wanted}' (cathlab protocols lists them)"));
        if (!kinds.Contains(named.Kind))
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"'{wanted}' is a {StationText.Kind(named.Kind)} protocol; cathlab {command} needs {string.Join(" or ", kinds.Select(StationText.Kind))}"));
        return named.Name;
    }
}
