using Grpc.Core;

namespace CathLab.Console.Commands;

/// <summary>One line for a failed call, and its exit code: a refusal by the station (state, role, token, request)
/// is <see cref="ExitCodes.Refused"/>; a station that cannot be reached or fails is <see cref="ExitCodes.Failure"/>.</summary>
public static class StationErrors
{
    public static string Describe(RpcException e, Uri server) => e.StatusCode switch
    {
        StatusCode.FailedPrecondition => $"refused by the station (FailedPrecondition): {e.Status.Detail}",
        StatusCode.InvalidArgument => $"invalid request (InvalidArgument): {e.Status.Detail}",
        StatusCode.NotFound => $"not found (NotFound): {e.Status.Detail}",
        StatusCode.Unauthenticated => $"not authenticated (Unauthenticated): {e.Status.Detail}; check --token or CATHLAB_TOKEN",
        StatusCode.PermissionDenied => $"permission denied (PermissionDenied): {e.Status.Detail}; this needs a technician token",
        StatusCode.Unavailable => $"cannot reach the station at {server} (Unavailable): {e.Status.Detail}",
        _ => $"{e.StatusCode}: {e.Status.Detail}",
    };

    public static int ExitCodeOf(RpcException e) => IsRefusal(e) ? ExitCodes.Refused : ExitCodes.Failure;

    /// <summary>The station answered and said no: nothing was done.</summary>
    public static bool IsRefusal(RpcException e) => e.StatusCode is StatusCode.FailedPrecondition or StatusCode.InvalidArgument
        or StatusCode.NotFound or StatusCode.Unauthenticated or StatusCode.PermissionDenied;
}
