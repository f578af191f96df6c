using System.Net.Security;

namespace CathLab.Publishing;

/// <summary>
/// A PACS the outbox delivers to. <see cref="Name"/> identifies it in the journal and the console, so it must stay
/// stable across restarts; the network address may change. With <see cref="RequestCommitment"/> off, an object counts as
/// safe once the PACS answered C-STORE with success (for peers without storage commitment). With <see cref="Tls"/>, every
/// association to it runs over TLS with those options (e.g. <c>Bcp195Tls.Client</c>).
/// </summary>
public sealed record PacsDestination(string Name, string AeTitle, string Host, int Port)
{
    public bool RequestCommitment { get; init; } = true;

    public SslClientAuthenticationOptions? Tls { get; init; }

    /// <summary>The DICOMweb service's root (objects are POSTed to <c>{root}studies</c>), or null for DIMSE.</summary>
    public Uri? DicomWeb { get; init; }

    /// <summary>A destination reached by STOW-RS only.</summary>
    public static PacsDestination StowRs(string name, Uri root) => new(name, "", "", 0) { DicomWeb = root, RequestCommitment = false };
}
