using CathLab.Station.Protocol;
using Grpc.Core;

namespace CathLab.Console.Commands;

/// <summary>Presses the pedal, holds it for a while, and releases it: what <c>cathlab fluoro</c> and
/// <c>cathlab cine</c> do for scripts. Once the pedal is down it is always released, whether the hold ran its
/// course, was interrupted (Ctrl+C) or the watch of it failed.</summary>
public static class PedalHold
{
    /// <summary>How long the release may take; it is sent even when the command's own cancellation has fired.</summary>
    public static readonly TimeSpan ReleaseDeadline = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(StationClient station, TextWriter output, string protocol, double seconds, CancellationToken cancellation, string? side = null)
    {
        // The press is not cancelled half-way: a press the station took but the console gave up on would never be released.
        RunInfo started;
        try
        {
            var press = new PedalDownRequest { Protocol = protocol };
            if (side is not null) press.Laterality = side;
            started = await station.Control.PedalDownAsync(press, station.Call(CancellationToken.None, ReleaseDeadline));
        }
        catch (RpcException e) when (!StationErrors.IsRefusal(e))
        {
            // Whether the station took the press is unknown: release to be sure, then report the failure.
            try
            {
                await station.Control.PedalUpAsync(new PedalUpRequest(), station.Call(CancellationToken.None, ReleaseDeadline));
            }
            catch (RpcException)
            {
            }
            throw;
        }
        output.WriteLine(StationText.Run(started));
        bool interrupted = false;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(seconds), cancellation);
        }
        catch (OperationCanceledException)
        {
            interrupted = true;
        }
        RunInfo run;
        try
        {
            run = await station.Control.PedalUpAsync(new PedalUpRequest(), station.Call(CancellationToken.None, ReleaseDeadline));
        }
        catch (RpcException e)
        {
            throw new RpcException(new Status(e.StatusCode, $"PEDAL UP FAILED, the run may still be exposing: {e.Status.Detail}"));
        }
        output.WriteLine(StationText.Run(run));
        if (interrupted) output.WriteLine("interrupted: the pedal was released early");
        return interrupted || run.State == RunState.Failed ? ExitCodes.Failure : ExitCodes.Success;
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
