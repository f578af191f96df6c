using CathLab.LiveFeed.Frames;
using CathLab.LiveFeed.Tiers;

namespace CathLab.Bench.LiveFeed;

/// <summary>Mean encoded size of each variant over the source's distinct frames, with the live feed's own encoder
/// (the latency runs encode only what their observers need, so their averages do not cover every variant).</summary>
internal static class VariantSizeTable
{
    public static double[] Measure(ProcessedFrameSource source, int frames)
    {
        var pools = StreamVariant.All.Select(v => new EncodedImagePool(v)).ToArray();
        using var encoder = new TierEncoder(pools);
        var slot = new FrameSlot();
        var total = new double[StreamVariant.All.Count];
        for (int i = 0; i < frames; i++)
        {
            var (number, processed, display) = source.Next();
            slot.Fill(LiveFrameInfo.Square(number, ProcessedFrameSource.Side, 14), processed, display, 0, "", "");
            foreach (var v in StreamVariant.All)
            {
                var image = encoder.Encode(slot, v);
                total[v.Index] += image.Length;
                image.Release();
            }
        }
        return total.Select(t => t / frames).ToArray();
    }
}
