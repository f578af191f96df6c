namespace CathLab.Processing.Pipeline;

/// <summary>Roadmap: <c>out = c + OverlayGain * P</c>, c the calibrated live frame and P = min over the
/// opacification frames of (L - M), which is negative where contrast filled a vessel.</summary>
public sealed record RoadmapSettings
{
    public RoadmapPhase Phase { get; init; } = RoadmapPhase.Mask;

    /// <summary>LSB per unit of log attenuation, [-65535, 65535]; positive darkens vessels, negative whitens them.</summary>
    public double OverlayGain { get; init; } = 4000;

    public void Validate()
    {
        if (!(OverlayGain >= -65535 && OverlayGain <= 65535)) throw new ArgumentOutOfRangeException(nameof(OverlayGain), OverlayGain, "overlay gain must be in [-65535, 65535]");
        if (!Enum.IsDefined(Phase)) throw new ArgumentOutOfRangeException(nameof(Phase), Phase, "unknown roadmap phase");
    }
}
