using CathLab.Sims.Phantom;
using CathLab.Sims.Physics;

namespace CathLab.Sims.Detector;

/// <summary>Everything the simulated detector needs; the CLI maps its options onto this.</summary>
public sealed record SimulatedDetectorOptions
{
    /// <summary>TCP port on 127.0.0.1 for the frame link; 0 picks a free one (read it from <see cref="SimulatedDetector.Port"/>).</summary>
    public int Port { get; init; }

    public DetectorMode Mode { get; init; } = DetectorMode.Full1024;

    /// <summary>Bits stored per pixel, 10..16, in 16-bit pixels.</summary>
    public int BitsStored { get; init; } = 14;

    /// <summary>Seed for the phantom's vessels, the detector's fixed pattern and all noise.</summary>
    public int Seed { get; init; } = 1;

    public PhantomOptions Phantom { get; init; } = new();

    public XRayPhysicsOptions Physics { get; init; } = new();

    public DetectorFaultOptions Faults { get; init; } = DetectorFaultOptions.None;

    /// <summary>Frames queued per client before that client starts losing frames: 2 s at 60 fps, so that a
    /// busy machine's scheduling stalls delay frames rather than lose them.</summary>
    public int ClientQueueDepth { get; init; } = 120;

    /// <summary>Pulses waiting for the render thread before pulses are lost (counted as overruns): 10 s at 60 fps.
    /// A pulse is a few dozen bytes; the depth is for whole-process stalls of seconds seen on a shared,
    /// overloaded build machine, after which the renderer (a few ms a frame) catches up.</summary>
    public int RenderQueueDepth { get; init; } = 600;

    /// <summary>Most 2 MiB frame buffers shared by rendering and all clients; allocated on first need, then reused.</summary>
    public int FrameBuffers { get; init; } = 160;

    /// <summary>Frame buffers allocated at start (the rest come on first need).</summary>
    public int PreallocatedFrameBuffers { get; init; } = 8;
}
