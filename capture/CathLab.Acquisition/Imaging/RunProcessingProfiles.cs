using CathLab.Acquisition.Protocols;
using CathLab.Processing.Pipeline;

namespace CathLab.Acquisition.Imaging;

/// <summary>The processing parameters for each kind of run. The pipeline mode and, for DSA, the mask frames come
/// from the run itself, so a profile only carries the filter and display settings.</summary>
public sealed record RunProcessingProfiles
{
    public ProcessingParameters Fluoro { get; init; } = new() { Mode = PipelineMode.Fluoro };

    public ProcessingParameters Cine { get; init; } = new() { Mode = PipelineMode.Cine };

    public ProcessingParameters Dsa { get; init; } = new() { Mode = PipelineMode.Dsa };

    /// <summary>The parameters of a run of <paramref name="kind"/>; a DSA run averages its first
    /// <paramref name="maskFrames"/> frames into the mask.</summary>
    public ProcessingParameters For(RunKind kind, int maskFrames) => kind switch
    {
        RunKind.Fluoro => Fluoro with { Mode = PipelineMode.Fluoro },
        RunKind.Cine => Cine with { Mode = PipelineMode.Cine },
        RunKind.Dsa when maskFrames >= 1 => Dsa with { Mode = PipelineMode.Dsa, Subtraction = Dsa.Subtraction with { MaskFirst = 0, MaskLast = maskFrames - 1 } },
        RunKind.Dsa => throw new ArgumentOutOfRangeException(nameof(maskFrames), maskFrames, "a DSA run needs at least one mask frame"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown run kind"),
    };
}
