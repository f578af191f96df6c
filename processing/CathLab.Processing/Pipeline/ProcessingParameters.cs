using CathLab.Processing.Display;
using CathLab.Processing.Filters;
using CathLab.Processing.Frames;

namespace CathLab.Processing.Pipeline;

/// <summary>All adjustable parameters of the pipeline; immutable, so a change is a new instance swapped
/// in between frames (<see cref="FramePipeline.Update"/>).</summary>
public sealed record ProcessingParameters
{
    public PipelineMode Mode { get; init; } = PipelineMode.Fluoro;

    public NoiseModel Noise { get; init; } = NoiseModel.Default;

    public RecursiveFilterSettings Recursive { get; init; } = new();

    public NoiseAwareSmoothingSettings Smoothing { get; init; } = new();

    public UnsharpMaskSettings Unsharp { get; init; } = new();

    public DisplaySettings Display { get; init; } = new();

    public SubtractionSettings Subtraction { get; init; } = new();

    public RoadmapSettings Roadmap { get; init; } = new();

    public void Validate(FrameGeometry geometry)
    {
        if (!Enum.IsDefined(Mode)) throw new ArgumentOutOfRangeException(nameof(Mode), Mode, "unknown pipeline mode");
        Noise.Validate();
        Recursive.Validate();
        Smoothing.Validate();
        Unsharp.Validate();
        Display.Validate();
        Subtraction.Validate(geometry.MaxValue);
        Roadmap.Validate();
    }

    public DisplayLayout Layout(FrameGeometry geometry) => new(geometry.Width, geometry.Height, Display.Format, Display.DownscaleFactor);
}
