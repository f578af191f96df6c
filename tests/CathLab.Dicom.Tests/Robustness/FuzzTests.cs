using System.Buffers.Binary;
using CathLab.Dicom.Data;
using CathLab.Dicom.Dictionary;
using CathLab.Dicom.Files;
using CathLab.Dicom.IO;
using CathLab.Dicom.Tests.IO;
using CathLab.Dicom.Tests.Support;

namespace CathLab.Dicom.Tests.Robustness;

/// <summary>
/// Seeded fuzzing of the Part 10 reader, the streaming reader and the data set parser: truncated input,
/// impossible lengths, wrong VRs and random bytes. Each case either parses or throws DicomFormatException;
/// nothing hangs, nothing else is thrown, and no case allocates much more than its input.
/// </summary>
public class FuzzTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task TruncatedFilesFailCleanly() => await Run(seed: 1, (random, seeds) =>
    {
        var cases = new List<byte[]>();
        foreach (var s in seeds)
        {
            var cuts = Enumerable.Range(0, 200).Select(_ => random.Next(0, s.Length)).Append(s.Length - 1).Append(131).Append(133);
            cases.AddRange(cuts.Distinct().Select(c => s[..c]));
        }
        return cases;
    });

    [Fact]
    public async Task ImpossibleLengthsFailCleanly() => await Run(seed: 2, (random, seeds) =>
    {
        var cases = new List<byte[]>();
        uint[] lengths = [0xFFFFFFF0, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFE, 0xFFFF, 1, 3, 0x10000];
        foreach (var s in seeds)
        {
            for (var n = 0; n < 150; n++)
            {
                var copy = (byte[])s.Clone();
                var at = random.Next(132, copy.Length - 4);
                if (random.Next(2) == 0) BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(at), lengths[random.Next(lengths.Length)]);
                else BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan(at), (ushort)lengths[random.Next(lengths.Length)]);
                cases.Add(copy);
            }
        }
        return cases;
    });

    [Fact]
    public async Task WrongVRsAndMutatedBytesFailCleanly() => await Run(seed: 3, (random, seeds) =>
    {
        var cases = new List<byte[]>();
        string[] vrs = ["SQ", "UN", "OB", "US", "FD", "AT", "XX", "\0\0", "UT", "PN"];
        foreach (var s in seeds)
        {
            for (var n = 0; n < 150; n++)
            {
                var copy = (byte[])s.Clone();
                var at = FindVR(copy, random);
                if (at > 0)
                {
                    var vr = vrs[random.Next(vrs.Length)];
                    copy[at] = (byte)vr[0];
                    copy[at + 1] = (byte)vr[1];
                }
                cases.Add(copy);
            }
            for (var n = 0; n < 150; n++)
            {
                var copy = (byte[])s.Clone();
                var flips = random.Next(1, 9);
                for (var f = 0; f < flips; f++) copy[random.Next(128, copy.Length)] = (byte)random.Next(256);
                cases.Add(copy);
            }
        }
        return cases;
    });

    [Fact]
    public async Task RandomBytesAfterTheMagicFailCleanly() => await Run(seed: 4, (random, _) =>
    {
        var cases = new List<byte[]>();
        for (var n = 0; n < 1500; n++)
        {
            var bytes = new byte[random.Next(0, 2048)];
            random.NextBytes(bytes);
            if (bytes.Length >= 132 && n % 3 != 0) "DICM"u8.CopyTo(bytes.AsSpan(128));
            if (bytes.Length >= 144 && n % 3 == 1) new byte[] { 2, 0, 0, 0, (byte)'U', (byte)'L', 4, 0 }.CopyTo(bytes, 132);
            cases.Add(bytes);
        }
        return cases;
    });

    private static async Task Run(int seed, Func<Random, List<byte[]>, List<byte[]>> makeCases)
    {
        var seeds = SeedFiles();
        var cases = makeCases(new Random(seed), seeds);
        Assert.True(cases.Count >= 1000, $"only {cases.Count} cases");
        await Task.Run(() =>
        {
            Exercise(seeds[0]); // warm up: dictionary, pools
            var failures = new List<string>();
            var rejected = 0;
            for (var i = 0; i < cases.Count; i++)
            {
                var input = cases[i];
                var before = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    Exercise(input);
                }
                catch (DicomFormatException)
                {
                    rejected++;
                }
                catch (Exception e)
                {
                    failures.Add($"case {i} ({input.Length} bytes): {e.GetType().Name}: {e.Message}");
                }
                var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                // The decoded frames of a valid RLE file may be up to 64x its bytes; otherwise stay near the input size.
                if (allocated > 80L * input.Length + (1 << 20))
                    failures.Add($"case {i} ({input.Length} bytes) allocated {allocated} bytes");
            }
            Assert.True(failures.Count == 0, string.Join('\n', failures.Take(20)));
            Assert.True(rejected > cases.Count / 10, $"only {rejected} of {cases.Count} cases were rejected: the fuzzing is not reaching the checks");
        }).WaitAsync(HangGuard);
    }

    private static void Exercise(byte[] input)
    {
        using (var ms = new MemoryStream(input, writable: false))
            DicomFile.Read(ms);
        using (var ms = new MemoryStream(input, writable: false))
        using (var reader = new DicomFileReader(ms))
        {
            for (var f = 0; f < Math.Min(reader.FrameCount, 4); f++)
            {
                using var frame = reader.RentFrame(f);
            }
            reader.CopyTo(Stream.Null, DicomTransferSyntax.ExplicitVRLittleEndian);
        }
        var body = input.Length > 132 ? input[132..] : input;
        foreach (var ts in new[] { DicomTransferSyntax.ImplicitVRLittleEndian, DicomTransferSyntax.ExplicitVRLittleEndian, DicomTransferSyntax.DeflatedExplicitVRLittleEndian })
        {
            try
            {
                DicomDataSetReader.Read(body, ts);
            }
            catch (DicomFormatException)
            {
            }
        }
    }

    private static int FindVR(byte[] bytes, Random random)
    {
        for (var tries = 0; tries < 50; tries++)
        {
            var at = random.Next(136, bytes.Length - 2);
            if (DicomVRInfo.TryParse(bytes[at], bytes[at + 1], out _)) return at;
        }
        return -1;
    }

    private static List<byte[]> SeedFiles()
    {
        var result = new List<byte[]>();
        var everyVR = RoundTripTests.EveryVR();
        everyVR.SetString(DicomTags.SOPClassUID, Uids.DicomUids.SecondaryCaptureImageStorage);
        var item = new DicomDataSet().SetString(DicomTags.CodeValue, "X");
        item.SetSequence(DicomTags.ConceptNameCodeSequence, new DicomDataSet().SetString(DicomTags.CodeMeaning, "nested"));
        everyVR.SetSequence(DicomTags.ReferencedSOPSequence, item);
        foreach (var (ts, undefined) in new[] { (DicomTransferSyntax.ExplicitVRLittleEndian, true), (DicomTransferSyntax.ExplicitVRLittleEndian, false), (DicomTransferSyntax.ImplicitVRLittleEndian, false) })
        {
            using var ms = new MemoryStream();
            new DicomFile(everyVR, ts).Write(ms, new DicomWriteOptions { UndefinedLengthSequences = undefined });
            result.Add(ms.ToArray());
        }
        foreach (var ts in new[] { DicomTransferSyntax.ExplicitVRLittleEndian, DicomTransferSyntax.RleLossless, DicomTransferSyntax.ImplicitVRLittleEndian })
        {
            using var ms = new MemoryStream();
            using (var w = new DicomMultiFrameWriter(ms, TestObjects.XaHeader(16, 12, 16), ts, leaveOpen: true))
            {
                for (var f = 0; f < 3; f++) w.WriteFrame(TestObjects.Frame(16, 12, 16, f));
                w.Complete();
            }
            result.Add(ms.ToArray());
        }
        using (var source = new MemoryStream(result[^3]))
        using (var reader = new DicomFileReader(source))
        using (var deflated = new MemoryStream())
        {
            reader.CopyFileTo(deflated, DicomTransferSyntax.DeflatedExplicitVRLittleEndian);
            result.Add(deflated.ToArray());
        }
        return result;
    }
}
