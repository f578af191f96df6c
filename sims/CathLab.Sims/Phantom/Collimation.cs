namespace CathLab.Sims.Phantom;

/// <summary>The open rectangle of the collimator, in fractions of the field (0..1). Outside it only
/// scatter reaches the detector.</summary>
public sealed record Collimation(double Left, double Top, double Right, double Bottom)
{
    public static Collimation Open { get; } = new(0, 0, 1, 1);

    public void Validate()
    {
        if (Left < 0 || Top < 0 || Right > 1 || Bottom > 1 || Left >= Right || Top >= Bottom)
        {
            throw new ArgumentOutOfRangeException(nameof(Left), this, "collimation must be a non-empty rectangle inside 0..1");
        }
    }
}
