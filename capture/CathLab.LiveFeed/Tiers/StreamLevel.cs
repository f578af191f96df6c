using CathLab.LiveFeed.Protocol;

namespace CathLab.LiveFeed.Tiers;

/// <summary>One step of the adaptation ladder: a variant and a frame-rate divisor (1 = every frame).</summary>
public sealed record StreamLevel(int Index, StreamVariant Variant, int RateDivisor)
{
    /// <summary>Best first: lossless, diagnostic, half-size preview, quarter-size preview at full, 1/2, 1/4 and 1/8 of the frame rate.</summary>
    public static IReadOnlyList<StreamLevel> Ladder { get; } =
    [
        new(0, StreamVariant.All[0], 1),
        new(1, StreamVariant.All[1], 1),
        new(2, StreamVariant.All[2], 1),
        new(3, StreamVariant.All[3], 1),
        new(4, StreamVariant.All[3], 2),
        new(5, StreamVariant.All[3], 4),
        new(6, StreamVariant.All[3], 8),
    ];

    public static int Bottom => Ladder.Count - 1;

    /// <summary>The first level of a tier: where an observer that asks for that tier starts and the best it may reach.</summary>
    public static int TopFor(Tier tier) => tier switch
    {
        Tier.Lossless => 0,
        Tier.Diagnostic or Tier.Unspecified => 1,
        Tier.Preview => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(tier), tier, "unknown tier"),
    };
}
