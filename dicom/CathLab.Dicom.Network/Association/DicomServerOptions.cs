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
    /// <summary>Established associations beyond this are rejected as transient (local limit exceeded). Connections that have
    /// not yet sent an acceptable A-ASSOCIATE-RQ do not count here but against <see cref="MaxPendingConnections"/>.</summary>
    public int MaxAssociations { get; init; } = 8;
    /// <summary>Connections still waiting for their A-ASSOCIATE-RQ (each for at most ARTIM). One more makes the server drop the
    /// oldest of them, so sockets that never speak cannot lock out a peer that sends its request at once.</summary>
    public int MaxPendingConnections { get; init; } = 16;
    /// <summary>The largest A-ASSOCIATE-RQ read before an association exists: 128 presentation contexts of eight transfer
    /// syntaxes each fit in about 80 KB. Larger ones are aborted before their body is buffered.</summary>
    public int MaxAssociateRequestLength { get; init; } = 128 * 1024;
    /// <summary>Reject requests whose called AE title is not ours (permanent, called AE not recognized).</summary>
    public bool RequireCalledAeTitle { get; init; } = true;
    /// <summary>When set, only these calling AE titles may associate.</summary>
    public IReadOnlySet<string>? AllowedCallingAeTitles { get; init; }
}
