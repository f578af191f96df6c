using CathLab.LiveFeed.Protocol;

namespace CathLab.LiveFeed.Tiers;

/// <summary>One way of encoding a frame: a tier at a size and quality. Each variant that any observer needs
/// is encoded once per frame.</summary>
public sealed record StreamVariant(int Index, Tier Tier, int DownscaleFactor, int JpegQuality)
{
    public ImageEncoding Encoding => Tier == Tier.Lossless ? ImageEncoding.Png16 : ImageEncoding.Jpeg;

    public static IReadOnlyList<StreamVariant> All { get; } =
    [
        new(0, Tier.Lossless, 1, 0),
        new(1, Tier.Diagnostic, 1, 90),
        new(2, Tier.Preview, 2, 75),
        new(3, Tier.Preview, 4, 60),
    ];
}
