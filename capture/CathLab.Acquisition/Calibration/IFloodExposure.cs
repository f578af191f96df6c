using CathLab.Acquisition.Frames;

namespace CathLab.Acquisition.Calibration;

/// <summary>Exposes flood frames for the calibration through the station's normal exposure path (its safety rules and
/// dose accounting) and hands back copies of them. Throws <see cref="CalibrationAbortedException"/> when the exposure
/// stops before the frames are in (a fault, the pedal released).</summary>
public interface IFloodExposure
{
    Task<IReadOnlyList<FloodFrame>> ExposeAsync(int settleFrames, int frames, CancellationToken cancellationToken);
}

/// <summary>One flood frame: its header and a copy of its pixels.</summary>
public sealed record FloodFrame(FrameInfo Info, ushort[] Pixels);

/// <summary>The procedure stopped midway (fault, pedal released, cancelled); the calibration in force is kept.</summary>
public sealed class CalibrationAbortedException(string message, Exception? inner = null) : Exception(message, inner);
