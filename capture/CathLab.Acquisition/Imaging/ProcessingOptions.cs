using CathLab.Acquisition.Configuration;
using CathLab.Processing.Pipeline;

namespace CathLab.Acquisition.Imaging;

/// <summary>The processing stage's backend and threads (section Station:Processing).</summary>
public sealed class ProcessingOptions : IOptionsSection
{
    public const string Section = "Processing";
    public const int MaxCpuThreads = 64;

    /// <summary>Cpu (SIMD, the default), OpenCl (a GPU; fails at start without one) or Auto (OpenCL when a platform
    /// is present). PoCL, the OpenCL that runs on the CPU, competes with the serial link and the recorder for the
    /// acquisition computer's two cores, so Auto is for machines with a GPU.</summary>
    public BackendChoice Backend { get; set; } = BackendChoice.Cpu;

    /// <summary>Threads of the CPU path; one leaves the other core to acquisition, the recorder and the generator link.</summary>
    public int CpuThreads { get; set; } = 1;

    /// <summary>OpenCL: row bands each frame's upload and download are split into, so that transfers overlap the
    /// kernels; 1 transfers whole frames. 4 suits a GPU on PCIe.</summary>
    public int TransferBands { get; set; } = 4;

    public IEnumerable<string> Problems(string at)
    {
        if (!Enum.IsDefined(Backend)) yield return $"{at}:Backend '{Backend}' must be {OptionsChecks.Names<BackendChoice>()}";
        if (CpuThreads is < 1 or > MaxCpuThreads) yield return $"{at}:CpuThreads {CpuThreads} must be 1–{MaxCpuThreads}";
        if (TransferBands < 1 || TransferBands > PipelineOptions.MaxTransferBands) yield return $"{at}:TransferBands {TransferBands} must be 1–{PipelineOptions.MaxTransferBands}";
    }
}
