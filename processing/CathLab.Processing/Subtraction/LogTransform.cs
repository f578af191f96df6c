namespace CathLab.Processing.Subtraction;

/// <summary>The log transform as a table over every 16-bit value: <c>L(v) = ln(max(v, 1))</c>.</summary>
/// <remarks>A table, rather than a call to a log function, makes the CPU and OpenCL paths bit-identical:
/// both look the same float up.</remarks>
public static class LogTransform
{
    public const int TableLength = 65536;

    private static readonly Lazy<float[]> Shared = new(Build);

    public static float[] Table => Shared.Value;

    private static float[] Build()
    {
        var table = new float[TableLength];
        for (int v = 0; v < TableLength; v++) table[v] = (float)Math.Log(Math.Max(v, 1));
        return table;
    }
}
