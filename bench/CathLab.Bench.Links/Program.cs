using BenchmarkDotNet.Running;
using CathLab.Bench.Links;

// `--paced [seconds] [fps]` runs the paced end-to-end frame-link check; anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "--paced")
{
    int seconds = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20;
    int fps = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 60;
    return await PacedFrameLinkRun.RunAsync(seconds, fps);
}
BenchmarkSwitcher.FromAssembly(typeof(FrameLinkBenchmarks).Assembly).Run(args);
return 0;
