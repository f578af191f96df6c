using System.Net;

namespace CathLab.Dicom.Network.Association;

/// <summary>How the station listens for associations (as SCP, or as storage commitment SCU taking N-EVENT-REPORTs).</summary>
public sealed record DicomServerOptions
{
    public required string AeTitle { get; init; }
    public IPAddress Address { get; init; } = IPAddress.Loopback;
    /// <summary>0 lets the system choose; <see cref="DicomServer.Port"/> says which.</summary>
    public int Port { get; init; }
    public AssociationOptions Association { get; init; } = new();
    /// <summary>Associations beyond this are rejected as transient (local limit exceeded).</summary>
    public int MaxAssociations { get; init; } = 8;
    /// <summary>Reject requests whose called AE title is not ours (permanent, called AE not recognized).</summary>
    public bool RequireCalledAeTitle { get; init; } = true;
    /// <summary>When set, only these calling AE titles may associate.</summary>
    public IReadOnlySet<string>? AllowedCallingAeTitles { get; init; }
}
