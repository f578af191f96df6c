using System.Security.Cryptography.X509Certificates;
using CathLab.Dicom.Network.Association;
using CathLab.Publishing.Tests.Support;
using CathLab.Testing;

namespace CathLab.Publishing.Tests;

/// <summary>DICOM over TLS to dcmtk's storescp with the Non-downgrading BCP 195 profile (its default) and mutual
/// authentication (<c>--require-peer-cert</c>): delivered when both sides trust the site's authority; a PACS certificate from another
/// authority or for another name, or a station without a certificate, fails permanently with the reason.</summary>
public sealed class TlsDeliveryTests : IDisposable
{
    private const string PacsName = "pacs.test";
    private readonly TempDirectory _temp = new();
    private readonly TestCertificates _site;

    public TlsDeliveryTests() => _site = new TestCertificates(_temp.Path, "site-authority");

    public void Dispose() => _temp.Dispose();

    private string[] WriteRuns(int count) => SpooledRuns.Write(_temp, count);

    /// <summary>storescp with TLS: its certificate and key, the station's authority trusted, a client certificate required.</summary>
    private Storescp StartTlsStorescp((string Certificate, string Key) server) =>
        new Storescp(_temp.Sub("in")).Start("+tls", server.Key, server.Certificate, "+cf", _site.AuthorityPem(), "--require-peer-cert");

    private PacsDestination Destination(Storescp storescp, string serverName = PacsName, bool withClientCertificate = true)
    {
        var trusted = new X509Certificate2Collection(_site.Authority);
        X509Certificate2? own = null;
        if (withClientCertificate)
        {
            var (certificate, key) = _site.Issue("cathlab-station");
            own = X509Certificate2.CreateFromPemFile(certificate, key);
        }
        return storescp.Destination() with { Host = "127.0.0.1", Tls = Bcp195Tls.Client(serverName, trusted, own) };
    }

    private async Task<CathLab.Publishing.Journal.OutboxItem> FailedDeliveryAsync(PacsDestination destination, int maxAttempts = 1)
    {
        await using var outbox = Outbox.Open(TestOutbox.Options(_temp.File("outbox.db"), destination));
        outbox.Add(WriteRuns(1).Single());
        await Eventually.True(() => outbox.Counts().Failed == 1, () => TestOutbox.Describe(outbox));
        var failed = Assert.Single(outbox.Items());
        Assert.True(failed.Permanent);
        Assert.True(failed.Attempts <= maxAttempts, $"{failed.Attempts} attempts: {failed.LastError}");
        return failed;
    }

    [Fact]
    public async Task MutualTlsWithTheSitesAuthorityDelivers()
    {
        using var storescp = StartTlsStorescp(_site.Issue("pacs", PacsName));
        var files = WriteRuns(2);
        var uids = files.Select(f => Dicom.Network.Part10.Part10Meta.Read(f).SopInstanceUid).ToArray();
        await using var outbox = Outbox.Open(TestOutbox.Options(_temp.File("outbox.db"), Destination(storescp)));
        foreach (var file in files) outbox.Add(file);
        await Eventually.True(() => outbox.Counts().Committed == 2, () => TestOutbox.Describe(outbox) + storescp.Log);
        Assert.Equal(uids.Order(), storescp.ReceivedUids().Order());
    }

    [Fact]
    public async Task APacsCertificateFromAnotherAuthorityIsRefusedWithTheReason()
    {
        var stranger = new TestCertificates(_temp.Sub("stranger"), "stranger-authority");
        using var storescp = StartTlsStorescp(stranger.Issue("pacs", PacsName));
        var failed = await FailedDeliveryAsync(Destination(storescp));
        Assert.Contains("TLS handshake with 127.0.0.1 failed", failed.LastError, StringComparison.Ordinal);
        Assert.Contains("is not trusted", failed.LastError, StringComparison.Ordinal);
        Assert.Contains("stranger-authority", failed.LastError, StringComparison.Ordinal);
        Assert.Empty(storescp.ReceivedUids());
    }

    [Fact]
    public async Task APacsCertificateForAnotherNameIsRefusedWithTheReason()
    {
        using var storescp = StartTlsStorescp(_site.Issue("pacs", PacsName));
        var failed = await FailedDeliveryAsync(Destination(storescp, serverName: "other-pacs.test"));
        Assert.Contains("does not name other-pacs.test", failed.LastError, StringComparison.Ordinal);
        Assert.Empty(storescp.ReceivedUids());
    }

    [Fact]
    public async Task APacsOfferingOnlyASuiteOutsideTheProfileIsRefused()
    {
        // ECDHE-RSA with AES-128-CBC-SHA256: TLS 1.2 and OpenSSL allow it, RFC 9325 does not recommend it (CBC).
        var (certificate, key) = _site.Issue("pacs", PacsName);
        using var storescp = new Storescp(_temp.Sub("in")).Start("+tls", key, certificate, "+cf", _site.AuthorityPem(), "--require-peer-cert", "+pn", "+cs", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256");
        var failed = await FailedDeliveryAsync(Destination(storescp));
        Assert.Contains("TLS handshake with 127.0.0.1 failed", failed.LastError, StringComparison.Ordinal);
        Assert.Empty(storescp.ReceivedUids());
    }

    [Fact]
    public async Task AStationWithoutItsCertificateIsRefusedByAPacsThatRequiresOne()
    {
        using var storescp = StartTlsStorescp(_site.Issue("pacs", PacsName));
        // TLS 1.3 completes the handshake first and sends the refusal as an alert after it: the station reads it as it
        // waits for A-ASSOCIATE-AC. Its request may meet the alert while it is still being written (a broken pipe, a
        // transient failure), so a second attempt may be needed to read it.
        var failed = await FailedDeliveryAsync(Destination(storescp, withClientCertificate: false), maxAttempts: 2);
        Assert.Contains("the TLS session failed while waiting for A-ASSOCIATE-AC", failed.LastError, StringComparison.Ordinal);
        Assert.Contains("certificate required", failed.LastError, StringComparison.Ordinal);
        Assert.Empty(storescp.ReceivedUids());
    }
}
