using Grpc.Core;

namespace CathLab.Station.Control;

/// <summary>How the station's refusals map to gRPC status codes.</summary>
public static class ControlFailures
{
    /// <summary>FAILED_PRECONDITION for a refusal in the station's present state, NOT_FOUND for a lookup that found
    /// nothing, INVALID_ARGUMENT for a value the station cannot take; null for anything else (a fault of ours).</summary>
    public static StatusCode? StatusOf(Exception e) => e switch
    {
        StationRefusedException => StatusCode.FailedPrecondition,
        KeyNotFoundException => StatusCode.NotFound,
        ArgumentException => StatusCode.InvalidArgument,
        _ => null,
    };
}
