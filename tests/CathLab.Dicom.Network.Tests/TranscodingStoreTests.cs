using CathLab.Dicom.IO;
using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Network.Client;
using CathLab.Dicom.Network.Services;
using CathLab.Dicom.Network.Services.Store;
using CathLab.Dicom.Network.Status;
using CathLab.Dicom.Uids;
using CathLab.Testing;

namespace CathLab.Dicom.Network.Tests;

/// <summary>Each file is proposed in its own syntax and in those the toolkit can transcode it to; real dcmtk storescp
/// peers that take only some of them get the file, transcoded frame by frame, with the same pixels.</summary>
public sealed class TranscodingStoreTests : IDisposable
{
    private static readonly AssociationOptions Options = new() { ArtimTimeout = TimeSpan.FromSeconds(20), DimseTimeout = TimeSpan.FromSeconds(60) };
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>A storescp profile that takes XA only in JPEG-LS Lossless (and verification uncompressed).</summary>
    private const string JpegLsOnlyConfig = """
        [[TransferSyntaxes]]
        [Uncompressed]
        TransferSyntax1 = LocalEndianExplicit
        TransferSyntax2 = LittleEndianImplicit
        [JpegLsOnly]
        TransferSyntax1 = JPEGLSLossless
        [[PresentationContexts]]
        [JpegLsStorage]
        PresentationContext1 = VerificationSOPClass\Uncompressed
        PresentationContext2 = XRayAngiographicImageStorage\JpegLsOnly
        [[Profiles]]
        [JpegLs]
        PresentationContexts = JpegLsStorage
        """;

    [PeerTheory("storescp", "dcmdump", "libcharls.so.2")]
    [InlineData(DicomUids.JpegLsLossless, new string[0], DicomUids.ExplicitVRLittleEndian)]
    [InlineData(DicomUids.RleLossless, new string[0], DicomUids.ExplicitVRLittleEndian)]
    [InlineData(DicomUids.JpegLsLossless, new[] { "+xi" }, DicomUids.ImplicitVRLittleEndian)]
    [InlineData(DicomUids.ExplicitVRLittleEndian, new[] { "+xi" }, DicomUids.ImplicitVRLittleEndian)]
    [InlineData(DicomUids.RleLossless, new[] { "+xa" }, DicomUids.RleLossless)]
    public async Task A_PACS_that_takes_only_uncompressed_gets_uncompressed(string recorded, string[] storescpOptions, string expectedStored)
    {
        var (path, frames) = WriteRun(recorded, 5);
        var stored = await SendToStorescpAsync(path, storescpOptions);
        AssertStored(stored, expectedStored, frames);
    }

    [PeerTheory("storescp", "dcmdump", "dcmdjpls", "libcharls.so.2")]
    [InlineData(DicomUids.RleLossless)]
    [InlineData(DicomUids.ExplicitVRLittleEndian)]
    [InlineData(DicomUids.ImplicitVRLittleEndian)]
    [InlineData(DicomUids.JpegLsLossless)]
    public async Task A_PACS_that_takes_only_JPEG_LS_gets_JPEG_LS_that_dcmtk_decodes_to_the_same_pixels(string recorded)
    {
        var (path, frames) = WriteRun(recorded, 4);
        var config = _temp.File("jpegls.cfg");
        File.WriteAllText(config, JpegLsOnlyConfig);
        var stored = await SendToStorescpAsync(path, ["--config-file", config, "JpegLs"]);
        AssertStored(stored, DicomUids.JpegLsLossless, frames);

        var native = _temp.File("dcmdjpls.dcm");
        var (code, output) = PeerProcess.Run("dcmdjpls", stored, native);
        Assert.True(code == 0, output);
        AssertStored(native, DicomUids.ExplicitVRLittleEndian, frames);
    }

    [PeerFact("storescp", "libcharls.so.2")]
    public async Task A_PACS_that_takes_none_of_the_syntaxes_is_a_permanent_failure()
    {
        var (path, _) = WriteRun(DicomUids.RleLossless, 1);
        var config = _temp.File("none.cfg");
        File.WriteAllText(config, JpegLsOnlyConfig.Replace("TransferSyntax1 = JPEGLSLossless", "TransferSyntax1 = JPEG2000LosslessOnly"));
        var port = FreePort.Next();
        using var storescp = new PeerProcess("storescp", ["--aetitle", "STORESCP", "--output-directory", _temp.Sub("none"), "--config-file", config, "JpegLs", port.ToString()]);
        storescp.WaitForPort(port);
        var client = new DicomClient(new DicomPeer("127.0.0.1", port, "STORESCP", "CATHLAB"), Options);
        var refused = await Assert.ThrowsAsync<DicomNetworkException>(() => client.StoreAsync([new StoreRequest(path)]));
        Assert.Equal(FailureKind.Permanent, refused.Kind);
        Assert.Contains("none of the presentation contexts", refused.Message);
    }

    private async Task<string> SendToStorescpAsync(string path, IEnumerable<string> storescpOptions)
    {
        var port = FreePort.Next();
        var inbox = _temp.Sub($"in-{Guid.NewGuid():N}");
        using var storescp = new PeerProcess("storescp", ["--aetitle", "STORESCP", "--output-directory", inbox, "--max-pdu", "16384", .. storescpOptions, port.ToString()]);
        storescp.WaitForPort(port);
        var client = new DicomClient(new DicomPeer("127.0.0.1", port, "STORESCP", "CATHLAB"), Options);
        var results = await client.StoreAsync([new StoreRequest(path)]);
        Assert.True(results.Single().Stored, $"{results.Single().Status} {results.Single().Error?.Message}\n{storescp.Output}");
        return Directory.GetFiles(inbox).Single();
    }

    private static void AssertStored(string stored, string syntaxUid, List<byte[]> frames)
    {
        var (code, dump) = PeerProcess.Run("dcmdump", "-M", stored);
        Assert.True(code == 0, dump);
        Assert.DoesNotContain("E: ", dump);
        Assert.Contains($"(0002,0010) UI =", dump);
        Assert.Contains($"(0028,0008) IS [{frames.Count}", dump);
        EncodedRunFile.AssertFrames(stored, syntaxUid, frames);
    }

    private (string Path, List<byte[]> Frames) WriteRun(string syntaxUid, int count)
    {
        var path = _temp.File($"run-{Guid.NewGuid():N}.dcm");
        return (path, EncodedRunFile.Write(path, DicomTransferSyntax.Get(syntaxUid), 96, 80, 12, count).Frames);
    }
}
