using CathLab.Sims.Detector;
using CathLab.Sims.Generator;

namespace CathLab.Sims.Cli;

/// <summary>The generator on a serial port and the detector on the frame link, wired so that each pulse makes a frame.</summary>
public sealed class RunningSimulator : IDisposable
{
    public SimulatedDetector Detector { get; }
    public GeneratorSerialEndpoint Endpoint { get; }
    public SimulatedGenerator Generator { get; }

    public RunningSimulator(string serialPath, SimulatorSettings settings)
    {
        Detector = new SimulatedDetector(settings.Detector);
        Detector.Start();
        try
        {
            Endpoint = new GeneratorSerialEndpoint(serialPath, settings.BaudRate, settings.SerialFaults) { Silent = settings.StartSilent };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            Detector.Dispose();
            throw new UsageException($"cannot open serial port {serialPath}: {e.Message}");
        }
        Generator = new SimulatedGenerator(settings.Generator, Detector.TubeOutput, Endpoint);
        Generator.AddObserver(Detector);
        Endpoint.Start(Generator);
    }

    public void Dispose()
    {
        Generator.Dispose();
        Endpoint.Dispose();
        Detector.Dispose();
    }
}
