namespace CathLab.Processing.Filters;

/// <summary>For every recursive-filter state value y (in Q(F), F fractional bits), 1 / sigma of the
/// difference x - y in the same units: <c>1 / (2^F sqrt((slope y / 2^F + intercept) * factor))</c>.
/// The filter's motion test |d| / sigma then costs one lookup and one multiply instead of a divide and a
/// square root, and the table, computed once per parameter change and uploaded to OpenCL, gives both
/// backends the same float.</summary>
internal sealed class InverseDifferenceSigmaTable
{
    public const int Length = 65536;

    private float _slope = float.NaN, _intercept, _factor;
    private int _fractionBits = -1;

    public float[] Values { get; } = new float[Length];

    /// <summary>Recomputes the table if any input changed; true when it did.</summary>
    public bool Update(float slope, float intercept, float differenceVarianceFactor, int fractionBits)
    {
        if (slope == _slope && intercept == _intercept && differenceVarianceFactor == _factor && fractionBits == _fractionBits) return false;
        double q = 1 << fractionBits;
        var values = Values;
        for (int v = 0; v < Length; v++)
            values[v] = (float)(1.0 / (q * Math.Sqrt(((double)slope * (v / q) + intercept) * differenceVarianceFactor)));
        _slope = slope;
        _intercept = intercept;
        _factor = differenceVarianceFactor;
        _fractionBits = fractionBits;
        return true;
    }
}
