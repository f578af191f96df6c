using CathLab.Dicom.IO;
using CathLab.Dicom.Uids;
using CathLab.Publishing.Tests.Support;
using CathLab.Testing;

namespace CathLab.Publishing.Tests;

/// <summary>Runs recorded in JPEG-LS (the station's default) reach a PACS that takes only uncompressed: the outbox's
/// association proposes the transcoded syntaxes too, and storescp stores them uncompressed with the same pixels.</summary>
public sealed class TranscodingDeliveryTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [PeerFact("storescp", "libcharls.so.2")]
    public async Task JPEG_LS_runs_are_delivered_uncompressed_to_a_PACS_that_takes_only_uncompressed()
    {
        using var storescp = new Storescp(_temp.Sub("in")).Start();
        var runs = Enumerable.Range(0, 3).Select(i =>
        {
            var path = _temp.File($"run{i}.dcm");
            var (uid, frames) = EncodedRunFile.Write(path, DicomTransferSyntax.JpegLsLossless, 64, 64, 14, 2 + i);
            return (Path: path, Uid: uid, Frames: frames);
        }).ToList();
        await using var outbox = Outbox.Open(TestOutbox.Options(_temp.File("outbox.db"), storescp.Destination()));
        foreach (var run in runs) outbox.Add(run.Path);

        await Eventually.True(() => outbox.Counts().Committed == 3, () => TestOutbox.Describe(outbox) + storescp.Log);
        foreach (var run in runs)
            EncodedRunFile.AssertFrames(Directory.GetFiles(storescp.Inbox, $"*{run.Uid}.dcm").Single(), DicomUids.ExplicitVRLittleEndian, run.Frames);
        Assert.All(outbox.Items(), i => Assert.Equal(1, i.Attempts));
    }
}
