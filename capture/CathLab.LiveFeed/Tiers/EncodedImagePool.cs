namespace CathLab.LiveFeed.Tiers;

/// <summary>The free images of one variant. The encoder rents; the last holder's release returns (from any
/// thread). The pool grows while observers hold more frames than it has and keeps what it made, so in a
/// steady state renting allocates nothing.</summary>
public sealed class EncodedImagePool(StreamVariant variant)
{
    private readonly object _gate = new();
    private readonly Stack<EncodedImage> _free = new();
    private int _created;

    public StreamVariant Variant { get; } = variant;

    /// <summary>Images made so far (free or held).</summary>
    public int Created => Volatile.Read(ref _created);

    public int Free
    {
        get
        {
            lock (_gate) return _free.Count;
        }
    }

    /// <summary>A free image holding one reference (the caller's).</summary>
    public EncodedImage Rent()
    {
        EncodedImage? image;
        lock (_gate) _free.TryPop(out image);
        if (image is null)
        {
            image = new EncodedImage(this);
            Interlocked.Increment(ref _created);
        }
        image.OnRented();
        return image;
    }

    internal void Return(EncodedImage image)
    {
        lock (_gate) _free.Push(image);
    }
}
