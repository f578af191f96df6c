using CathLab.Processing.Frames;

namespace CathLab.Processing.Registration;

/// <summary>A rectangle of the frame, chosen by the user, on which the mask shift is estimated.</summary>
public readonly record struct RegionOfInterest(int X, int Y, int Width, int Height)
{
    public const int MinSide = 32;

    public void Validate(FrameGeometry g)
    {
        if (Width < MinSide || Height < MinSide)
            throw new ArgumentOutOfRangeException(nameof(Width), $"region {Width}x{Height} is smaller than {MinSide}x{MinSide}");
        if (X < 0 || Y < 0 || X + Width > g.Width || Y + Height > g.Height)
            throw new ArgumentOutOfRangeException(nameof(X), $"region ({X}, {Y}, {Width}x{Height}) does not lie inside the {g.Width}x{g.Height} frame");
    }

    public static RegionOfInterest Centre(FrameGeometry g, int side) => new((g.Width - side) / 2, (g.Height - side) / 2, side, side);
}
