using CathLab.Processing.Calibration;

namespace CathLab.Processing.Pipeline;

/// <summary>One implementation (CPU or OpenCL) of every chain. Inputs are checked by the pipeline
/// before they reach a backend.</summary>
internal interface IChainBackend : IDisposable
{
    string Description { get; }

    void SetCalibration(CalibrationData calibration);

    /// <summary>The DSA mask, already shifted, in log units.</summary>
    void SetMask(ReadOnlySpan<float> shiftedMask);

    void SetLut(ushort[] lut);

    /// <summary>Clears the recursive filter state and the roadmap mask sum and peak.</summary>
    void ResetTemporal();

    /// <summary>Turns the roadmap mask sum into the mean over <paramref name="frames"/> frames and clears the peak.</summary>
    void FinishRoadmapMask(int frames);

    void Process(ReadOnlySpan<ushort> raw, in ChainConstants k, Span<byte> output);

    /// <summary>Runs one step alone on the buffers the last <see cref="Process"/> left (benchmarks).</summary>
    void RunStep(StepKind step, ReadOnlySpan<ushort> raw, in ChainConstants k, Span<byte> output);
}
