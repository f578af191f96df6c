namespace CathLab.Processing.Pipeline;

public enum BackendChoice
{
    /// <summary>OpenCL when a platform with a device is present, otherwise the CPU (said once in the log).</summary>
    Auto,
    Cpu,

    /// <summary>OpenCL or an exception: for tests and benchmarks that must measure it.</summary>
    OpenCl,
}

public sealed record PipelineOptions
{
    public BackendChoice Backend { get; init; } = BackendChoice.Auto;

    /// <summary>Threads of the CPU path (bands per pass); the acquisition computer has two cores.</summary>
    public int CpuThreads { get; init; } = Math.Clamp(Environment.ProcessorCount, 1, 2);

    /// <summary>OpenCL: row bands each frame's upload and download are split into, so that transfers overlap
    /// the kernels of the neighbouring band (1: upload, kernels, download one after the other). Worth more
    /// the slower the bus is against the device; 4 suits a discrete GPU on PCIe (docs/processing.md).</summary>
    public int TransferBands { get; init; } = 4;

    /// <summary>The most <see cref="TransferBands"/> a frame is split into.</summary>
    public const int MaxTransferBands = 16;

    /// <summary>Where the pipeline reports its choice of backend; standard error by default.</summary>
    public Action<string> Log { get; init; } = message => Console.Error.WriteLine(message);

    /// <summary>Tests: behave as if no OpenCL platform were installed.</summary>
    internal bool HideOpenCl { get; init; }
}
