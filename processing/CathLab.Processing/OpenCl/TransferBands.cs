using CathLab.Processing.Pipeline;

namespace CathLab.Processing.OpenCl;

/// <summary>The row bands one frame's transfers are split into on the OpenCL path, so that a band's upload or
/// download runs while the kernels work on another band. Bands start on multiples of
/// <see cref="RowMultiple"/> rows, so every downscale block (2 or 4 rows) lies in one band; the bands differ
/// by at most one block, and there are fewer than asked only when the frame has fewer blocks.</summary>
internal readonly struct TransferBands
{
    /// <summary>The most bands a frame is split into.</summary>
    public const int Max = PipelineOptions.MaxTransferBands;

    /// <summary>Band boundaries fall on multiples of this many rows (the largest downscale factor).</summary>
    public const int RowMultiple = 4;

    private readonly int _height;
    private readonly int _blocks;

    public TransferBands(int height, int requested)
    {
        if (requested is < 1 or > Max) throw new ArgumentOutOfRangeException(nameof(requested), requested, $"transfer bands must be in [1, {Max}]");
        _height = height;
        _blocks = height / RowMultiple;
        Count = Math.Max(1, Math.Min(requested, _blocks));
    }

    public int Count { get; }

    /// <summary>Rows [Y0, Y1) of band <paramref name="band"/>; the last band ends at the frame's last row.</summary>
    public (int Y0, int Y1) Rows(int band) =>
        (Start(band), band == Count - 1 ? _height : Start(band + 1));

    private int Start(int band) => band * _blocks / Count * RowMultiple;
}
