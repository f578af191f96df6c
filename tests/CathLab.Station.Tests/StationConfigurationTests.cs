using System.Net;
using System.Net.Sockets;
using CathLab.Station.Hosting;
using CathLab.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CathLab.Station.Tests;

/// <summary>A bad configuration value stops the station before anything starts, with one clear line per problem.</summary>
public sealed class StationConfigurationTests
{
    [Fact]
    public void Runs_are_recorded_in_JPEG_LS_lossless_unless_configured_otherwise()
    {
        var options = new Station.Configuration.StationOptions();
        Assert.Equal(Acquisition.Recording.RecorderTransferSyntax.JpegLsLossless, options.RecorderTransferSyntax);
        Assert.Equal(Dicom.Uids.DicomUids.JpegLsLossless, Acquisition.Recording.RecorderTransferSyntaxes.Of(options.RecorderTransferSyntax).Uid);
    }

    [Fact]
    public void Bad_values_are_all_reported_and_nothing_is_started()
    {
        int port = FreePort.Next();
        var error = new StringWriter();
        var startup = StationStartup.Prepare(
        [
            "--Station:Generator:SerialPort=",
            "--Station:Generator:BaudRate=12345",
            "--Station:Detector:Size=700",
            "--Station:AeTitle=A\\B",
            "--Station:Processing:Backend=Quantum",
            "--Station:Exposure:PedalLeaseMs=50",
            $"--Station:ListenUrl=http://127.0.0.1:{port}",
            $"--Station:WebUrl=http://127.0.0.1:{port}",
        ], error);

        Assert.Null(startup);
        string text = error.ToString();
        Assert.Contains("nothing started", text, StringComparison.Ordinal);
        Assert.Contains("Station:Generator:SerialPort is required", text, StringComparison.Ordinal);
        Assert.Contains("Station:Generator:BaudRate 12345", text, StringComparison.Ordinal);
        Assert.Contains("Station:Detector:Size 700", text, StringComparison.Ordinal);
        Assert.Contains("Station:AeTitle", text, StringComparison.Ordinal);
        Assert.Contains("Station:Processing:Backend 'Quantum' must be one of Auto, Cpu, OpenCl", text, StringComparison.Ordinal);
        Assert.Contains("Station:Exposure:PedalLeaseMs 50 must be 100–2000", text, StringComparison.Ordinal);
        Assert.Contains("different ports", text, StringComparison.Ordinal);
        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start(); // the port the station would have listened on is still free
    }

    [Fact]
    public void A_tls_pacs_needs_its_trusted_certificates_and_readable_files()
    {
        var error = new StringWriter();
        var startup = StationStartup.Prepare(
        [
            "--Station:Generator:SerialPort=/dev/null-cathlab-test",
            "--Station:Pacs:0:AeTitle=PACS", "--Station:Pacs:0:Host=pacs.example", "--Station:Pacs:0:Tls=true",
            "--Station:Pacs:1:AeTitle=OTHER", "--Station:Pacs:1:Host=other.example", "--Station:Pacs:1:Tls=true",
            "--Station:Pacs:1:TlsTrustedCertificates=/nonexistent/cathlab-ca.pem", "--Station:Pacs:1:TlsCertificate=/nonexistent/station.pem",
        ], error);

        Assert.Null(startup);
        string text = error.ToString();
        Assert.Contains("Station:Pacs:0:TlsTrustedCertificates is required with Station:Pacs:0:Tls", text, StringComparison.Ordinal);
        Assert.Contains("Station:Pacs:1:TlsCertificate and Station:Pacs:1:TlsKey go together", text, StringComparison.Ordinal);
        Assert.Contains("Station:Pacs:1: the TLS files cannot be read", text, StringComparison.Ordinal);
        Assert.Contains("cathlab-ca.pem", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_word_where_an_enum_belongs_is_one_problem_among_the_others()
    {
        var error = new StringWriter();
        var startup = StationStartup.Prepare(
        [
            "--Station:Generator:SerialPort=",
            "--Station:Detector:Source=Camera",
            "--Station:Tokens:0:Holder=dr", $"--Station:Tokens:0:Sha256={new string('a', 64)}", "--Station:Tokens:0:Role=admin",
            "--Station:Tokens:1:Holder=", $"--Station:Tokens:1:Sha256={new string('a', 64)}", "--Station:Tokens:1:Role=technician",
            "--Station:RecorderTransferSyntax=Jpeg",
        ], error);

        Assert.Null(startup);
        var lines = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Skip(1).ToList();
        Assert.Contains("- Station:Detector:Source 'Camera' must be one of FrameLink, VideoCapture", lines);
        Assert.Contains("- Station:Tokens:0:Role 'admin' must be one of Observer, Technician", lines);
        Assert.Contains("- Station:Tokens:1:Holder is required", lines);
        Assert.Contains("- Station:RecorderTransferSyntax 'Jpeg' must be one of JpegLsLossless, RleLossless, ExplicitVRLittleEndian", lines);
        Assert.Contains(lines, l => l.StartsWith("- Station:Generator:SerialPort is required", StringComparison.Ordinal));
        Assert.Equal(5, lines.Count);
    }

    [Fact]
    public void Each_section_is_bound_and_checked_by_the_options_framework_too()
    {
        var error = new StringWriter();
        var startup = StationStartup.Prepare(["--Station:Generator:SerialPort=/dev/null-cathlab-test", "--Station:Exposure:PedalLeaseMs=400", "--Station:Mpps:AeTitle=RIS", "--Station:Mpps:Host=ris"], error);
        Assert.True(startup is not null, error.ToString());
        var services = startup.Services;
        Assert.Equal(400, services.GetRequiredService<IOptions<Station.Hardware.ExposureOptions>>().Value.PedalLeaseMs);
        Assert.Equal("RIS", services.GetRequiredService<IOptionsMonitor<Station.Configuration.DicomPeerOptions>>().Get("Mpps").AeTitle);
        Assert.False(services.GetRequiredService<IOptionsMonitor<Station.Configuration.DicomPeerOptions>>().Get("Worklist").Configured);
        var check = services.GetServices<IValidateOptions<Station.Hardware.ExposureOptions>>().Single();
        var failed = check.Validate(Options.DefaultName, new Station.Hardware.ExposureOptions { PedalLeaseMs = 50 });
        Assert.Equal(["Station:Exposure:PedalLeaseMs 50 must be 100–2000"], failed.Failures!);
    }

    [Fact]
    public async Task The_station_control_is_registered_once_and_each_of_its_parts_disposed_once()
    {
        var error = new StringWriter();
        var startup = StationStartup.Prepare(["--Station:Generator:SerialPort=/dev/null-cathlab-test"], error);
        Assert.True(startup is not null, error.ToString());
        Assert.Null(startup.Services.GetService<Exam.ExamCoordinator>());
        Assert.IsType<Exam.ExamCoordinator>(startup.Services.GetRequiredService<Control.IStationControl>());
        Assert.Same(startup.Services.GetRequiredService<Exam.RunController>(), startup.Services.GetServices<Exam.RunController>().Single());
        await startup.DisposeAsync(); // a part disposed twice throws here (its cancellation source is gone)
    }

    [Fact]
    public void Good_values_build_a_station_without_opening_anything_until_it_starts()
    {
        var error = new StringWriter();
        var startup = StationStartup.Prepare(["--Station:Generator:SerialPort=/dev/null-cathlab-test"], error);
        Assert.True(startup is not null, error.ToString());
    }
}

/// <summary>Free settings: the site's own protocols come from configuration, checked like every other value.</summary>
public sealed class SiteProtocolTests
{
    [Fact]
    public async Task A_site_protocol_is_offered_after_the_built_in_ones_and_replaces_one_of_the_same_name()
    {
        var error = new StringWriter();
        var startup = StationStartup.Prepare(
        [
            "--Station:Generator:SerialPort=/dev/null-cathlab-test",
            "--Station:Protocols:0:Name=cardiac-cine-60", "--Station:Protocols:0:Kind=Cine", "--Station:Protocols:0:Phases:0:PulseRate=60",
            "--Station:Protocols:1:Name=cardiac-fluoro-15", "--Station:Protocols:1:Kind=Fluoro", "--Station:Protocols:1:Phases:0:PulseRate=12.5",
            "--Station:Protocols:2:Name=carotid-dsa", "--Station:Protocols:2:Kind=Dsa", "--Station:Protocols:2:MaskFrames=3", "--Station:Protocols:2:BodyPart=NECK",
            "--Station:Protocols:2:Phases:0:PulseRate=4", "--Station:Protocols:2:Phases:0:Seconds=3", "--Station:Protocols:2:Phases:1:PulseRate=1",
        ], error);
        Assert.True(startup is not null, error.ToString());
        await using var _ = startup;
        var protocols = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Exam.ProtocolSet>(startup.Services);
        Assert.Equal(60, protocols.Find("cardiac-cine-60").Phases[0].PulseRate);
        Assert.Equal(12.5, protocols.Find("cardiac-fluoro-15").Phases[0].PulseRate);
        Assert.Single(protocols.All, p => p.Name == "cardiac-fluoro-15");
        var dsa = protocols.Find("carotid-dsa");
        Assert.Equal((Acquisition.Protocols.RunKind.Dsa, 3, "NECK", 2), (dsa.Kind, dsa.MaskFrames, dsa.BodyPart, dsa.Phases.Count));
        Assert.Equal(TimeSpan.FromSeconds(3), dsa.Phases[0].Duration);
        Assert.Null(dsa.Phases[1].Duration);
    }

    [Fact]
    public void A_bad_site_protocol_stops_the_start_with_its_reason()
    {
        var error = new StringWriter();
        var startup = StationStartup.Prepare(
        [
            "--Station:Generator:SerialPort=/dev/null-cathlab-test",
            "--Station:Protocols:0:Name=x", "--Station:Protocols:0:Kind=Dsa", "--Station:Protocols:0:Phases:0:PulseRate=90",
        ], error);
        Assert.Null(startup);
        Assert.Contains("Station:Protocols:0:Phases:0:PulseRate 90", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("Station:Protocols:0:MaskFrames 0", error.ToString(), StringComparison.Ordinal);
    }
}

/// <summary>The embedded archive's calling-AE allow-list: checked at start, and enforced on the wire against dcmtk.</summary>
public sealed class ArchiveCallerTests
{
    [Fact]
    public void A_bad_or_incomplete_allow_list_stops_the_start()
    {
        var error = new StringWriter();
        var startup = StationStartup.Prepare(
        [
            "--Station:Generator:SerialPort=/dev/null-cathlab-test",
            "--Station:Archive:AllowedCallingAeTitles:0=MODALITY",
            "--Station:Archive:AllowedCallingAeTitles:1=WAY_TOO_LONG_AE_TITLE",
        ], error);
        Assert.Null(startup);
        string text = error.ToString();
        Assert.Contains("Station:Archive:AllowedCallingAeTitles:1 'WAY_TOO_LONG_AE_TITLE'", text, StringComparison.Ordinal);
        Assert.Contains("must include Station:AeTitle 'CATHLAB'", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_listed_callers_may_associate_with_the_archive()
    {
        var folder = Directory.CreateTempSubdirectory("cathlab-archive-callers-").FullName;
        try
        {
            var options = new Station.Configuration.StationOptions();
            options.Archive.Folder = folder;
            options.Archive.AllowedCallingAeTitles = ["CATHLAB", "MODALITY"];
            await using var archive = new CathLab.Station.Archive.EmbeddedArchiveService(options, Microsoft.Extensions.Logging.Abstractions.NullLogger<CathLab.Station.Archive.EmbeddedArchiveService>.Instance);
            await archive.StartAsync(CancellationToken.None);
            string port = archive.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

            var (refused, refusal) = PeerProcess.Run("echoscu", "-aet", "INTRUDER", "-aec", archive.AeTitle, "127.0.0.1", port);
            Assert.NotEqual(0, refused);
            Assert.Contains("Calling AE Title Not Recognized", refusal, StringComparison.OrdinalIgnoreCase);
            var (allowed, text) = PeerProcess.Run("echoscu", "-aet", "MODALITY", "-aec", archive.AeTitle, "127.0.0.1", port);
            Assert.True(allowed == 0, text);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
