using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace CathLab.Dicom.Network.Association;

/// <summary>
/// The Non-downgrading BCP 195 TLS Secure Transport Connection Profile of PS3.15 (B.10): TLS 1.2 or 1.3 only, the
/// cipher suites RFC 9325 recommends (ECDHE with AES-GCM for 1.2; the AES-GCM and ChaCha20 suites of 1.3), the peer's
/// certificate validated against the site's own trusted certificates (not the system's store) and its name against the
/// host, and mutual authentication when the station has a certificate of its own.
/// </summary>
public static class Bcp195Tls
{
    /// <summary>The TLS 1.2 suites of the profile, then TLS 1.3's; the order is the preference.</summary>
    public static readonly IReadOnlyList<TlsCipherSuite> CipherSuites =
    [
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    ];

    /// <summary>Client options for a peer at <paramref name="serverName"/> whose certificate must chain to one of
    /// <paramref name="trusted"/>; <paramref name="clientCertificate"/> (with its private key) is offered when the
    /// peer asks for one. A rejected peer certificate fails the handshake with the reason in its message.</summary>
    public static SslClientAuthenticationOptions Client(string serverName, X509Certificate2Collection trusted, X509Certificate2? clientCertificate = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serverName);
        if (trusted.Count == 0) throw new ArgumentException("BCP 195 validates the peer against trusted certificates: none given", nameof(trusted));
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = serverName,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, _, errors) => Accept(certificate, errors, trusted, serverName),
        };
        if (clientCertificate is not null) options.ClientCertificates = [clientCertificate];
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) options.CipherSuitesPolicy = new CipherSuitesPolicy(CipherSuites);
        return options;
    }

    /// <summary>The peer's certificate chains to a trusted one (only those: the system's store does not count) and
    /// names the host dialled.</summary>
    /// <exception cref="AuthenticationException">The certificate is rejected; the message says why.</exception>
    private static bool Accept(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection trusted, string serverName)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
            throw new AuthenticationException("the peer presented no certificate");
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
            throw new AuthenticationException($"the peer's certificate ({certificate.Subject}) does not name {serverName}");
        using var peer = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trusted);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (!chain.Build(peer))
        {
            var why = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
            throw new AuthenticationException($"the peer's certificate ({peer.Subject}, issued by {peer.Issuer}) is not trusted: {(why.Length > 0 ? why : "no chain to a trusted certificate")}");
        }
        return true;
    }
}
