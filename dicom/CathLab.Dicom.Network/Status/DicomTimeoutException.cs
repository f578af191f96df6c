namespace CathLab.Dicom.Network.Status;

/// <summary>A peer did not answer or send within the configured time (ARTIM, DIMSE or connect timeout).</summary>
public sealed class DicomTimeoutException(string what, TimeSpan timeout)
    : DicomNetworkException($"timed out after {timeout.TotalSeconds:0.#} s waiting for {what}", FailureKind.Transient, NetworkFailureReason.Timeout)
{
    public TimeSpan Timeout { get; } = timeout;
}
