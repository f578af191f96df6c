using System.Diagnostics;
using System.Globalization;
using CathLab.Bench.Video;
using CathLab.Video;

// Rate–distortion of today's JPEG tiers against VP8 and VP9 on the simulator's fluoro, cine and DSA runs, in one run.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
int frames = args.SkipWhile(a => a != "--frames").Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(45);
bool smoothed = args.Contains("--smoothed");
var clock = Stopwatch.StartNew();
var sequences = new[] { DisplaySequence.Fluoro(frames, smoothed), DisplaySequence.Cine(frames, smoothed), DisplaySequence.Dsa(frames, smoothed) };
Console.Error.WriteLine($"rendered and processed {sequences.Length} × {frames} frames in {clock.Elapsed.TotalSeconds:0} s");
if (Environment.GetEnvironmentVariable("CATHLAB_VIDEO_DUMP") is { Length: > 0 } dump)
{
    foreach (var s in sequences)
        foreach (int side in new[] { 256, 512, 1024 })
            File.WriteAllBytes(Path.Combine(dump, $"{s.Name}-{side}.pgm"), [.. System.Text.Encoding.ASCII.GetBytes($"P5 {side} {side} 255\n"), .. s.At(side)[frames / 2]]);
    return;
}

// Target bytes per frame: from the goal (1.6 KB at 512²) up to where the codecs reach SSIM 0.95 on these frames.
var targets = new Dictionary<int, int[]>
{
    [256] = [800, 1600, 3200, 6400, 12800],
    [512] = [1600, 3200, 6400, 12800, 25600, 51200],
    [1024] = [6400, 25600, 51200, 102400, 204800],
};
int[] jpegQualities = [60, 75, 90, 95];
var rows = new List<RateDistortionRow>();
foreach (int side in new[] { 256, 512, 1024 })
{
    foreach (var sequence in sequences)
    {
        foreach (int q in jpegQualities) rows.Add(RateDistortionRow.Jpeg(sequence, side, q));
        foreach (var codec in new[] { VideoCodec.Vp8, VideoCodec.Vp9 })
            foreach (int target in targets[side]) rows.Add(RateDistortionRow.Vpx(sequence, side, codec, target));
        Console.Error.WriteLine($"{side}² {sequence.Name} done at {clock.Elapsed.TotalSeconds:0} s");
    }
}

Console.WriteLine($"{frames} frames per sequence (fluoro and cine at 15 fps, DSA at 4 fps); key frame every 2 s; one encoder thread; CBR"
    + (smoothed ? "; display frames with noise-aware smoothing and no unsharp mask" : ""));
Console.WriteLine();
Console.WriteLine("| size | sequence | codec | setting | bytes per frame | SSIM mean | SSIM worst | encode ms/frame (one core) |");
Console.WriteLine("| --- | --- | --- | --- | ---: | ---: | ---: | ---: |");
foreach (var r in rows)
    Console.WriteLine($"| {r.Side}² | {r.Sequence} | {r.Codec} | {r.Setting} | {r.BytesPerFrame:0} | {r.SsimMean:0.000} | {r.SsimMin:0.000} | {r.EncodeMs:0.00} |");

Console.WriteLine();
Console.WriteLine("Fewest bytes per frame with mean SSIM ≥ 0.95 on every sequence (the largest of the three sequences' sizes):");
Console.WriteLine();
Console.WriteLine("| size | codec | setting | bytes per frame (worst sequence) | SSIM mean (worst sequence) | encode ms/frame (worst sequence) |");
Console.WriteLine("| --- | --- | --- | ---: | ---: | ---: |");
foreach (var group in rows.GroupBy(r => (r.Side, r.Codec)))
{
    var passing = group.GroupBy(r => r.Setting).Where(s => s.All(r => r.SsimMean >= 0.95))
        .Select(s => (Setting: s.Key, Bytes: s.Max(r => r.BytesPerFrame), Ssim: s.Min(r => r.SsimMean), Ms: s.Max(r => r.EncodeMs)))
        .OrderBy(s => s.Bytes).FirstOrDefault();
    Console.WriteLine(passing.Setting is null
        ? $"| {group.Key.Side}² | {group.Key.Codec} | none tried reaches 0.95 | | | |"
        : $"| {group.Key.Side}² | {group.Key.Codec} | {passing.Setting} | {passing.Bytes:0} | {passing.Ssim:0.000} | {passing.Ms:0.00} |");
}
Console.Error.WriteLine($"whole run {clock.Elapsed.TotalSeconds:0} s");
