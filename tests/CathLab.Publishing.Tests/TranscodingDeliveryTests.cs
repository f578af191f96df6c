using System.Runtime.InteropServices;
using CathLab.Dicom.Data;
using CathLab.Dicom.Dictionary;
using CathLab.Dicom.Files;
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
        var runs = Enumerable.Range(0, 3).Select(i => WriteJpegLsRun(_temp.File($"run{i}.dcm"), frames: 2 + i)).ToList();
        await using var outbox = Outbox.Open(TestOutbox.Options(_temp.File("outbox.db"), storescp.Destination()));
        foreach (var (path, _, _) in runs) outbox.Add(path);

        await Eventually.True(() => outbox.Counts().Committed == 3, () => TestOutbox.Describe(outbox) + storescp.Log);
        foreach (var (_, uid, frames) in runs)
        {
            var stored = Directory.GetFiles(storescp.Inbox, $"*{uid}.dcm").Single();
            using var reader = DicomFileReader.Open(stored);
            Assert.Equal(DicomUids.ExplicitVRLittleEndian, reader.Meta.TransferSyntaxUid);
            Assert.Equal(frames.Count, reader.FrameCount);
            var frame = new byte[reader.FrameFormat.FrameLength];
            for (var i = 0; i < frames.Count; i++)
            {
                reader.ReadFrame(i, frame);
                Assert.True(frames[i].AsSpan().SequenceEqual(frame), $"frame {i} of {uid} differs");
            }
        }
        Assert.All(outbox.Items(), i => Assert.Equal(1, i.Attempts));
    }

    private static (string Path, string Uid, List<byte[]> Frames) WriteJpegLsRun(string path, int frames)
    {
        const int size = 64;
        var uid = DicomUidGenerator.NewUid();
        var header = new DicomDataSet()
            .SetString(DicomTags.SOPClassUID, DicomUids.XRayAngiographicImageStorage)
            .SetString(DicomTags.SOPInstanceUID, uid)
            .SetString(DicomTags.Modality, "XA")
            .SetString(DicomTags.PatientID, "CATH001")
            .SetString(DicomTags.StudyInstanceUID, DicomUidGenerator.NewUid())
            .SetString(DicomTags.SeriesInstanceUID, DicomUidGenerator.NewUid())
            .SetInt(DicomTags.SamplesPerPixel, 1)
            .SetString(DicomTags.PhotometricInterpretation, "MONOCHROME2")
            .SetInt(DicomTags.Rows, size)
            .SetInt(DicomTags.Columns, size)
            .SetInt(DicomTags.BitsAllocated, 16)
            .SetInt(DicomTags.BitsStored, 14)
            .SetInt(DicomTags.HighBit, 13)
            .SetInt(DicomTags.PixelRepresentation, 0);
        var random = new Random(frames);
        var pixels = Enumerable.Range(0, frames).Select(f =>
        {
            var frame = new byte[size * size * 2];
            var samples = MemoryMarshal.Cast<byte, ushort>(frame.AsSpan());
            for (var i = 0; i < samples.Length; i++) samples[i] = (ushort)(2000 + i % size * 40 + f * 3 + random.Next(0, 64));
            return frame;
        }).ToList();
        using var writer = DicomMultiFrameWriter.Create(path, header, DicomTransferSyntax.JpegLsLossless);
        foreach (var frame in pixels) writer.WriteFrame(frame);
        writer.Complete();
        return (path, uid, pixels);
    }
}
