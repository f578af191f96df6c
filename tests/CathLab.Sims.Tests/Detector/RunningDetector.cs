using CathLab.Sims.Detector;
using CathLab.Sims.Generator;
using CathLab.Sims.Phantom;
using CathLab.Wire.Generator;

namespace CathLab.Sims.Tests.Detector;

/// <summary>Starts a simulated detector on a free port and always stops it.</summary>
internal sealed class RunningDetector : IDisposable
{
    private uint _pulseId;
    private long _timestamp = 1_000_000;

    public RunningDetector(SimulatedDetectorOptions options)
    {
        Detector = new SimulatedDetector(options);
        Detector.Start();
    }

    public static RunningDetector WaterSlab(double thicknessCm = 20, IReadOnlyList<LeadObject>? lead = null, DetectorFaultOptions? faults = null, int clientQueueDepth = 16) =>
        new(new SimulatedDetectorOptions
        {
            Phantom = new PhantomOptions
            {
                Preset = PhantomPreset.WaterSlab,
                WaterThicknessCm = thicknessCm,
                HeartRateBpm = 0,
                RespiratoryAmplitudePixels = 0,
                LeadObjects = lead ?? [],
            },
            Faults = faults ?? DetectorFaultOptions.None,
            ClientQueueDepth = clientQueueDepth,
        });

    public SimulatedDetector Detector { get; }
    public int Port => Detector.Port;

    /// <summary>Delivers one pulse as the generator would, at 15 pulses per second on the pulse clock.</summary>
    public uint Pulse(Technique technique, ExposureKind kind = ExposureKind.Fluoro)
    {
        uint id = ++_pulseId;
        _timestamp += 66_667;
        Detector.OnPulse(new DeliveredPulse(id, _timestamp, technique, kind, Detector.Physics.AirKermaMicroGray(technique)));
        return id;
    }

    public void Dispose() => Detector.Dispose();
}
