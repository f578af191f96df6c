namespace CathLab.Dicom.Network.Status;

/// <summary>Whether trying the same thing again later can succeed.</summary>
public enum FailureKind
{
    /// <summary>Retry later: the peer is busy, down, out of resources or slow.</summary>
    Transient,

    /// <summary>Will never work as asked: the peer refuses this SOP class, data set or AE title.</summary>
    Permanent,
}
