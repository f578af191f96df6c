using CathLab.Dicom.Network.Status;

namespace CathLab.Publishing.Delivery;

/// <summary>What one delivery attempt means for the row: done, try again later, or never.</summary>
internal enum AttemptKind { Stored, RetryLater, NeverWorks }

internal readonly record struct AttemptVerdict(AttemptKind Kind, string? Message)
{
    public static AttemptVerdict Of(DimseStatus status) => status switch
    {
        { IsDone: true } => new(AttemptKind.Stored, status.IsWarning ? $"stored with warning {status}" : null),
        { Failure: FailureKind.Transient } => new(AttemptKind.RetryLater, $"C-STORE refused for now: {status}"),
        _ => new(AttemptKind.NeverWorks, $"C-STORE refused: {status}"),
    };

    public static AttemptVerdict Of(DicomNetworkException error) =>
        new(error.IsTransient ? AttemptKind.RetryLater : AttemptKind.NeverWorks, error.Message);
}
