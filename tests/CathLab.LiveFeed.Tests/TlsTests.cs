using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CathLab.Contracts.Client;
using CathLab.LiveFeed.Protocol;
using CathLab.LiveFeed.Tests.Support;

namespace CathLab.LiveFeed.Tests;

/// <summary>With a certificate configured, gRPC and the viewer share one TLS port (ALPN).</summary>
public sealed class TlsTests : IAsyncLifetime
{
    private LiveFeedTestServer _server = null!;
    private X509Certificate2 _certificate = null!;

    public async Task InitializeAsync()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var ephemeral = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        _certificate = X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pfx), null);
        _server = await LiveFeedTestServer.StartAsync(certificate: _certificate);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _certificate.Dispose();
    }

    [Fact]
    public async Task AnObserverWatchesOverTlsAndThePageIsServedOnTheSamePort()
    {
        Assert.Equal("https", _server.Address.Scheme);
        using var pump = new FramePump(_server.Hub, SimulatedFrameSet.Full, 15).Start();
        using var channel = LiveFeedObserver.CreateChannel(_server.Address, acceptAnyServerCertificate: true);
        var observer = new LiveFeedObserver(channel, LiveFeedTestServer.ObserverToken);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var run = observer.RunAsync(new WatchRequest { ExamId = LiveFeedTestServer.Exam }, null, null, stop.Token);
        while (observer.Statistics.Frames < 5 && !run.IsCompleted) await Task.Delay(50);
        stop.Cancel();
        await Assert.ThrowsAnyAsync<Exception>(() => run);
        Assert.True(observer.Statistics.Frames >= 5);

        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert?.Thumbprint == _certificate.Thumbprint };
        using var http = new HttpClient(handler) { BaseAddress = _server.Address };
        Assert.Contains("viewer.js", await http.GetStringAsync("/live/"));
    }

    [Fact]
    public async Task AnUntrustedCertificateIsRefusedByDefault()
    {
        using var channel = LiveFeedObserver.CreateChannel(_server.Address);
        var observer = new LiveFeedObserver(channel, LiveFeedTestServer.ObserverToken);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var e = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => observer.RunAsync(new WatchRequest { ExamId = LiveFeedTestServer.Exam }, null, null, stop.Token));
        Assert.True(e.StatusCode is Grpc.Core.StatusCode.Unavailable or Grpc.Core.StatusCode.Internal, $"got {e.StatusCode}: {e.Status.Detail}");
        Assert.Contains("SSL", e.ToString(), StringComparison.OrdinalIgnoreCase);
    }
}
