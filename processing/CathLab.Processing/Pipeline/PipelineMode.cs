namespace CathLab.Processing.Pipeline;

public enum PipelineMode
{
    /// <summary>Calibrate, motion-adaptive recursive filter, [smooth], unsharp, display.</summary>
    Fluoro,

    /// <summary>Calibrate, [smooth], unsharp, display.</summary>
    Cine,

    /// <summary>Calibrate, log, subtract the shifted AVG_SUB mask, [smooth], unsharp, display.</summary>
    Dsa,

    /// <summary>Calibrate, log, mask / peak opacification / overlay by <see cref="RoadmapPhase"/>, [smooth], unsharp, display.</summary>
    Roadmap,
}

public enum RoadmapPhase
{
    /// <summary>Live fluoro without contrast: frames are averaged into the roadmap mask.</summary>
    Mask,

    /// <summary>Contrast is injected: the most negative L - M per pixel (peak opacification) is held, and overlaid.</summary>
    Opacify,

    /// <summary>The held vessel map is overlaid on live fluoro.</summary>
    Overlay,
}
