namespace CathLab.Processing.OpenCl;

/// <summary>The .cl files embedded in this assembly (processing/CathLab.Processing/Kernels/*.cl).</summary>
internal static class KernelSource
{
    public static readonly string[] Files = ["pixel.cl", "display.cl"];

    public static string Read(string file)
    {
        var name = $"CathLab.Processing.Kernels.{file}";
        using var stream = typeof(KernelSource).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded OpenCL source {name} is missing from the assembly");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
