namespace CathLab.Processing.Frames;

/// <summary>Size and stored bit depth of a 16-bit detector frame.</summary>
/// <remarks>Width must be a multiple of 16 and height a multiple of 4 so that every pass runs in whole
/// SIMD vectors and the 2x/4x downscale tiles the frame exactly (1024x1024 and 512x512 both qualify).</remarks>
public readonly record struct FrameGeometry(int Width, int Height, int BitsStored)
{
    public const int MinSide = 64;
    public const int MaxSide = 4096;

    public static FrameGeometry Square1024(int bitsStored = 14) => new(1024, 1024, bitsStored);

    public int PixelCount => Width * Height;

    public ushort MaxValue => (ushort)((1 << BitsStored) - 1);

    public void Validate()
    {
        if (Width < MinSide || Width > MaxSide || Width % 16 != 0)
            throw new ArgumentOutOfRangeException(nameof(Width), Width, $"frame width must be a multiple of 16 in [{MinSide}, {MaxSide}]");
        if (Height < MinSide || Height > MaxSide || Height % 4 != 0)
            throw new ArgumentOutOfRangeException(nameof(Height), Height, $"frame height must be a multiple of 4 in [{MinSide}, {MaxSide}]");
        if (BitsStored < 8 || BitsStored > 16)
            throw new ArgumentOutOfRangeException(nameof(BitsStored), BitsStored, "bits stored must be in [8, 16]");
    }

    /// <summary>Throws unless <paramref name="length"/> is exactly one frame of pixels.</summary>
    public void RequireLength(int length, string what)
    {
        if (length != PixelCount)
            throw new ArgumentException($"{what} holds {length} pixels but the frame is {Width}x{Height} = {PixelCount} pixels", what);
    }
}
