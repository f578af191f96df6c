using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CathLab.Publishing.Tests.Support;

/// <summary>A site's certificate authority made for one test: it issues certificates for a server name or a client,
/// written as PEM files (certificate, PKCS#8 key) that dcmtk and the station both read.</summary>
internal sealed class TestCertificates(string folder, string authorityName)
{
    private readonly RSA _authorityKey = RSA.Create(2048);
    private X509Certificate2? _authority;

    public X509Certificate2 Authority => _authority ??= MakeAuthority();

    /// <summary>The authority's certificate as a PEM file: what a peer trusts.</summary>
    public string AuthorityPem()
    {
        var path = Path.Combine(folder, $"{authorityName}-ca.pem");
        File.WriteAllText(path, Authority.ExportCertificatePem());
        return path;
    }

    /// <summary>A certificate issued by the authority, for <paramref name="dnsName"/> (a server) or a client; returns the
    /// PEM files of the certificate and its key.</summary>
    public (string Certificate, string Key) Issue(string subject, string? dnsName = null)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [dnsName is null ? new Oid("1.3.6.1.5.5.7.3.2") : new Oid("1.3.6.1.5.5.7.3.1")], false));
        if (dnsName is not null)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName(dnsName);
            request.CertificateExtensions.Add(names.Build());
        }
        var serial = RandomNumberGenerator.GetBytes(12);
        using var issued = request.Create(Authority, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), serial);
        var certificate = Path.Combine(folder, $"{subject}.crt.pem");
        var keyFile = Path.Combine(folder, $"{subject}.key.pem");
        File.WriteAllText(certificate, issued.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return (certificate, keyFile);
    }

    private X509Certificate2 MakeAuthority()
    {
        var request = new CertificateRequest($"CN={authorityName}", _authorityKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(365));
    }
}
