using System.Globalization;
using CathLab.Sims.Detector;
using CathLab.Sims.Generator;
using CathLab.Wire.Generator;

namespace CathLab.Sims.Cli;

/// <summary>Fault injection and inspection at run time, one command per line (from the terminal or a test's pipe).</summary>
public sealed class RuntimeConsole(RunningSimulator simulator, TextWriter output)
{
    public const string Help = """
        runtime commands (one per line on standard input):
          arc | interlock open | interlock close | overtemp | cool   generator faults and their remedies
          silent on | silent off                                    generator stops/starts talking
          corrupt <rate> | drop <rate>                              serial bytes damaged or lost (0..1)
          withhold <n>                                              answers to each command's first n transmissions lost
          frames drop-every <n> | frames late-every <n> <ms>        detector frames dropped or late (0: off)
          dead-row <n|off> | dead-column <n|off>                    a dead detector line
          inject                                                    contrast injection (bolus starts)
          attenuator in | attenuator out                            table clear, uniform attenuator in the beam (calibration floods) / the phantom back
          status | help | quit
        """;

    /// <summary>Runs one command; returns false for quit.</summary>
    public bool Execute(string line)
    {
        string[] words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length == 0) return true;
        try
        {
            switch (words)
            {
                case ["quit" or "exit"]:
                    return false;
                case ["help"]:
                    output.WriteLine(Help);
                    break;
                case ["arc"]:
                    simulator.Generator.InjectFault(FaultCode.Arc);
                    break;
                case ["overtemp"]:
                    simulator.Generator.InjectFault(FaultCode.OverTemperature);
                    break;
                case ["cool"]:
                    simulator.Generator.CoolDown();
                    break;
                case ["interlock", "open"]:
                    simulator.Generator.InjectFault(FaultCode.InterlockOpen);
                    break;
                case ["interlock", "close"]:
                    simulator.Generator.CloseInterlock();
                    break;
                case ["silent", "on" or "off"]:
                    simulator.Endpoint.Silent = words[1] == "on";
                    break;
                case ["corrupt", var rate]:
                    simulator.Endpoint.Faults = simulator.Endpoint.Faults with { CorruptRate = Rate(rate) };
                    break;
                case ["drop", var rate]:
                    simulator.Endpoint.Faults = simulator.Endpoint.Faults with { DropRate = Rate(rate) };
                    break;
                case ["withhold", var n]:
                    simulator.Endpoint.Faults = simulator.Endpoint.Faults with { WithheldAnswers = Count(n) };
                    break;
                case ["frames", "drop-every", var n]:
                    simulator.Detector.SetFaults(simulator.Detector.Faults with { DropEveryNth = Count(n) });
                    break;
                case ["frames", "late-every", var n, var ms]:
                    simulator.Detector.SetFaults(simulator.Detector.Faults with { LateEveryNth = Count(n), LateByMilliseconds = Count(ms) });
                    break;
                case ["dead-row", var row]:
                    simulator.Detector.SetFaults(simulator.Detector.Faults with { DeadRow = row == "off" ? null : Count(row) });
                    break;
                case ["dead-column", var column]:
                    simulator.Detector.SetFaults(simulator.Detector.Faults with { DeadColumn = column == "off" ? null : Count(column) });
                    break;
                case ["attenuator", "in" or "out"]:
                    simulator.Detector.Attenuator = words[1] == "in";
                    break;
                case ["inject"]:
                    simulator.Detector.InjectContrast();
                    break;
                case ["status"]:
                    PrintStatus();
                    return true;
                default:
                    output.WriteLine($"error: unknown command '{line.Trim()}' (type help)");
                    return true;
            }
            output.WriteLine($"ok: {line.Trim()}");
        }
        catch (Exception e) when (e is ArgumentException or FormatException or UsageException)
        {
            output.WriteLine($"error: {e.Message}");
        }
        return true;
    }

    private void PrintStatus()
    {
        var g = simulator.Generator;
        var d = simulator.Detector;
        var e = simulator.Endpoint;
        output.WriteLine($"generator: {g.State}, {g.PulsesDelivered} pulses; serial: {e.FramesReceived} frames in, {e.DamagedFrames} damaged, {e.DuplicateCommands} repeats, {e.BytesCorrupted} bytes corrupted, {e.BytesDropped} dropped, {e.FramesUnsent} frames unsent, {e.PartialFramesDropped} partial frames dropped, {e.EventsLost} events lost{(e.Silent ? ", SILENT" : "")}; longest heartbeat gap {g.MaxHeartbeatGapMicros / 1000} ms");
        output.WriteLine($"detector: {d.Mode.Side()}×{d.Mode.Side()} {d.BitsStored} bits, port {d.Port}, {d.ClientCount} clients, {d.FramesRendered} frames, {d.FramesDroppedByFault} dropped by fault, {d.FramesLate} late, {d.FramesDroppedForSlowClients} dropped for slow clients{(d.Attenuator ? ", ATTENUATOR IN" : "")}");
    }

    private static double Rate(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v is >= 0 and <= 1 ? v : throw new UsageException($"'{text}' is not a rate between 0 and 1");

    private static int Count(string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= 0 ? v : throw new UsageException($"'{text}' is not a whole number ≥ 0");
}
