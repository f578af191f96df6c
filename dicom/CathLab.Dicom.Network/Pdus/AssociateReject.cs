namespace CathLab.Dicom.Network.Pdus;

/// <summary>A-ASSOCIATE-RJ (PS3.8 §9.3.4). Reason's meaning depends on the source.</summary>
public sealed record AssociateReject(RejectResult Result, RejectSource Source, byte Reason)
{
    public string Describe() => (Source, Reason) switch
    {
        (RejectSource.ServiceUser, 1) => "no reason given",
        (RejectSource.ServiceUser, 2) => "application context name not supported",
        (RejectSource.ServiceUser, 3) => "calling AE title not recognized",
        (RejectSource.ServiceUser, 7) => "called AE title not recognized",
        (RejectSource.ServiceProviderAcse, 1) => "no reason given",
        (RejectSource.ServiceProviderAcse, 2) => "protocol version not supported",
        (RejectSource.ServiceProviderPresentation, 1) => "temporary congestion",
        (RejectSource.ServiceProviderPresentation, 2) => "local limit exceeded",
        _ => $"reason {Reason}",
    };
}

public enum RejectResult : byte
{
    Permanent = 1,
    Transient = 2,
}

public enum RejectSource : byte
{
    ServiceUser = 1,
    ServiceProviderAcse = 2,
    ServiceProviderPresentation = 3,
}
