using CathLab.Sims.Detector;
using CathLab.Sims.Generator;
using CathLab.Sims.Phantom;

namespace CathLab.Sims.Cli;

/// <summary>Everything the command line says about the simulated generator and detector.</summary>
public sealed record SimulatorSettings(
    int BaudRate,
    GeneratorSimOptions Generator,
    SerialFaultOptions SerialFaults,
    bool StartSilent,
    SimulatedDetectorOptions Detector)
{
    public static readonly HashSet<string> Flags = ["silent", "lead", "help"];

    public static SimulatorSettings Read(ArgumentReader args)
    {
        var baseGenerator = new GeneratorSimOptions();
        int seed = args.Integer("seed", 1, 0, int.MaxValue);
        var generator = baseGenerator with
        {
            Seed = seed,
            Capabilities = baseGenerator.Capabilities with { HeartbeatWindowMs = args.Integer("heartbeat-ms", 250, 20, 5000) },
        };
        var serialFaults = new SerialFaultOptions
        {
            CorruptRate = args.Number("corrupt-rate", 0, 0, 1),
            DropRate = args.Number("drop-rate", 0, 0, 1),
            Seed = seed,
        };
        string preset = args.Text("preset") ?? "coronary";
        var phantom = new PhantomOptions
        {
            Preset = preset switch
            {
                "coronary" => PhantomPreset.Coronary,
                "peripheral" => PhantomPreset.Peripheral,
                "water" => PhantomPreset.WaterSlab,
                _ => throw new UsageException($"option --preset: '{preset}' is not coronary, peripheral or water"),
            },
            WaterThicknessCm = args.Number("thickness", 20, 15, 35),
            HeartRateBpm = args.Number("heart-rate", 70, 0, 250),
            LeadObjects = args.Flag("lead") ? [new LeadObject(0.7, 0.5, 0.15, 0.3, 1.0)] : [],
            Seed = seed,
        };
        var faults = new DetectorFaultOptions(
            DropEveryNth: args.Integer("frame-drop-every", 0, 0, 1_000_000),
            LateEveryNth: args.Integer("frame-late-every", 0, 0, 1_000_000),
            LateByMilliseconds: args.Integer("frame-late-ms", 0, 0, 10_000),
            DeadRow: args.OptionalInteger("dead-row", 0, 1023),
            DeadColumn: args.OptionalInteger("dead-column", 0, 1023));
        int side = args.Integer("mode", 1024, 512, 1024);
        var detector = new SimulatedDetectorOptions
        {
            Port = args.Integer("frame-port", 0, 0, 65535),
            Mode = side is 1024 or 512 ? DetectorModeExtensions.FromSide(side) : throw new UsageException("option --mode: the detector reads 1024 or 512"),
            BitsStored = args.Integer("bits", 14, 10, 16),
            Seed = seed,
            Phantom = phantom,
            Faults = faults,
        };
        return new SimulatorSettings(args.Integer("baud", 115200, 1200, 4_000_000), generator, serialFaults, args.Flag("silent"), detector);
    }
}
