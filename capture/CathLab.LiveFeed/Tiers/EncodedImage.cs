using CathLab.LiveFeed.Protocol;

namespace CathLab.LiveFeed.Tiers;

/// <summary>One frame encoded in one variant, shared read-only by every observer that receives it.</summary>
public sealed class EncodedImage(StreamVariant variant, int width, int height, byte[] data)
{
    public StreamVariant Variant { get; } = variant;

    public int Width { get; } = width;

    public int Height { get; } = height;

    public byte[] Data { get; } = data;

    public Tier Tier => Variant.Tier;
}
