namespace CathLab.Processing.Pipeline;

/// <summary>The fused per-pixel first pass of a chain (everything before the spatial steps).</summary>
internal enum PixelStage
{
    /// <summary>Offset and gain (cine, and DSA frames before the mask is complete).</summary>
    Calibrate = 0,

    /// <summary>Offset and gain, then the motion-adaptive recursive filter (fluoro).</summary>
    CalibrateRecursive = 1,

    /// <summary>Offset and gain, log, minus the shifted mask, scaled (DSA).</summary>
    Subtract = 2,

    /// <summary>Roadmap phase 1: the live frame is shown while its log is summed into the mask.</summary>
    RoadmapMask = 3,

    /// <summary>Roadmap phase 2: peak opacification min(P, L - M) is held and overlaid on the live frame.</summary>
    RoadmapPeak = 4,

    /// <summary>Roadmap phase 3: the held peak is overlaid on live fluoro.</summary>
    RoadmapOverlay = 5,
}
