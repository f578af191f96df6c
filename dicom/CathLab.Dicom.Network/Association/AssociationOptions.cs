using System.Net.Security;

namespace CathLab.Dicom.Network.Association;

/// <summary>Limits and timeouts for one side of an association. Every wait in the toolkit is bounded by one of these.</summary>
public sealed record AssociationOptions
{
    /// <summary>Largest P-DATA-TF variable field we accept; advertised in A-ASSOCIATE user information.</summary>
    public uint MaxPduLength { get; init; } = 256 * 1024;

    /// <summary>Our cap for outgoing P-DATA when the peer advertises 0 (no limit).</summary>
    public uint MaxSendPduLength { get; init; } = 256 * 1024;

    /// <summary>The smallest maximum PDU length a peer may advertise (other than 0, no limit). dcmtk's own floor; below it every
    /// data set would go in a flood of tiny PDUs (and under 7 bytes no PDV fits at all), so such a peer is refused.</summary>
    public uint MinPeerMaxPduLength { get; init; } = 4096;

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>PS3.8 ARTIM: the wait for A-ASSOCIATE-RQ after a connection is accepted, for the A-ASSOCIATE-AC/RJ
    /// after a request, for A-RELEASE-RP after a release request, and for the peer to close after RJ/RP/ABORT.</summary>
    public TimeSpan ArtimTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The wait for the next PDU of a DIMSE message or for a DIMSE response.</summary>
    public TimeSpan DimseTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The wait for one write to complete (a peer that stops reading blocks our sends).</summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>When set, the connection is wrapped in TLS as a client (PS3.15 Annex B.1); the callback validates the peer.</summary>
    public SslClientAuthenticationOptions? TlsClient { get; init; }

    /// <summary>When set, accepted connections are wrapped in TLS as a server.</summary>
    public SslServerAuthenticationOptions? TlsServer { get; init; }
}
