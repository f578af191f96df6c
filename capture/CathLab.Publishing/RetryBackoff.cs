namespace CathLab.Publishing;

/// <summary>Exponential back-off between delivery attempts: <see cref="Initial"/> after the first failure, multiplied by
/// <see cref="Factor"/> after each further one, never more than <see cref="Cap"/>.</summary>
public sealed record RetryBackoff
{
    public TimeSpan Initial { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan Cap { get; init; } = TimeSpan.FromMinutes(10);
    public double Factor { get; init; } = 2.0;

    /// <summary>The wait after the <paramref name="failures"/>-th failure in a row (1 = first).</summary>
    public TimeSpan After(int failures)
    {
        var exponent = Math.Max(0, failures - 1);
        var ticks = Initial.Ticks * Math.Pow(Factor, Math.Min(exponent, 62));
        return ticks >= Cap.Ticks || double.IsInfinity(ticks) ? Cap : TimeSpan.FromTicks((long)ticks);
    }
}
