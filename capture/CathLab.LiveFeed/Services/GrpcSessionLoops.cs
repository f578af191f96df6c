using CathLab.LiveFeed.Sessions;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace CathLab.LiveFeed.Services;

/// <summary>Runs the loops of one observer's gRPC call (the session's writer, the client's reader, a review's player) until
/// the first ends, then stops the rest. A client's error (<see cref="RpcException"/>) is passed on; a client that hung up
/// is logged once, as information.</summary>
internal static class GrpcSessionLoops
{
    /// <returns>The outcome to audit: "OK", or "Cancelled" when the observer hung up.</returns>
    public static async Task<string> RunAsync(ServerCallContext context, ILogger logger, ObserverSession session, CancellationTokenSource stop, params Task[] loops)
    {
        try
        {
            var done = await Task.WhenAny(loops);
            stop.Cancel();
            try
            {
                await Task.WhenAll(loops);
            }
            catch (OperationCanceledException)
            {
            }
            await done;
            return "OK";
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
            logger.LogInformation("observer {Peer} (session {Session}) hung up", context.Peer, session.Id);
            return "Cancelled";
        }
    }
}
