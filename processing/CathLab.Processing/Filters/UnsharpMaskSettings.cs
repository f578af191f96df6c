namespace CathLab.Processing.Filters;

/// <summary>Edge enhancement: <c>out = x + Gain * (x - box_k(x))</c>, box_k the mean over a
/// <see cref="KernelSize"/> x <see cref="KernelSize"/> square (edges replicated).</summary>
public sealed record UnsharpMaskSettings
{
    public const int MinKernel = 3;
    public const int MaxKernel = 31;
    public const double MaxGain = 8;

    public int KernelSize { get; init; } = 9;

    /// <summary>0 turns enhancement off.</summary>
    public double Gain { get; init; } = 0.5;

    public void Validate()
    {
        if (KernelSize < MinKernel || KernelSize > MaxKernel || KernelSize % 2 == 0)
            throw new ArgumentOutOfRangeException(nameof(KernelSize), KernelSize, $"unsharp kernel size must be odd and in [{MinKernel}, {MaxKernel}]");
        if (!(Gain >= 0 && Gain <= MaxGain)) throw new ArgumentOutOfRangeException(nameof(Gain), Gain, $"unsharp gain must be in [0, {MaxGain}]");
    }
}
