using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Xunit;
using Xunit.Sdk;

namespace CathLab.Testing;

/// <summary>What this machine lacks, as the reason a test is skipped (null: present). A test that needs a capability
/// says so with one of the attributes below, so that a machine without it reports the test as skipped, counted in the
/// suite's closing line, instead of passing it without checking anything.</summary>
public static class Capabilities
{
    /// <summary>CI has PoCL, so OpenCL is required unless CATHLAB_NO_OPENCL=1 says this machine has none.</summary>
    public static string? OpenClMissing =>
        Environment.GetEnvironmentVariable("CATHLAB_NO_OPENCL") == "1" ? "CATHLAB_NO_OPENCL=1: this machine has no OpenCL" : null;

    public static string? RootMissing => Environment.UserName == "root" ? null : "needs root (mounts a file system)";

    public static string? Avx512Missing =>
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? null : "this CPU has no 512-bit vectors (AVX-512F)";
}

/// <summary>A fact that needs OpenCL.</summary>
public sealed class OpenClFactAttribute : FactAttribute
{
    public OpenClFactAttribute() => Skip = Capabilities.OpenClMissing;
}

/// <summary>A theory that needs OpenCL in every row.</summary>
public sealed class OpenClTheoryAttribute : TheoryAttribute
{
    public OpenClTheoryAttribute() => Skip = Capabilities.OpenClMissing;
}

/// <summary>One row of a theory that needs OpenCL, beside rows that do not.</summary>
public sealed class OpenClInlineDataAttribute : DataAttribute
{
    private readonly object[] _data;

    public OpenClInlineDataAttribute(params object[] data)
    {
        _data = data;
        Skip = Capabilities.OpenClMissing;
    }

    public override IEnumerable<object[]> GetData(System.Reflection.MethodInfo testMethod) => [_data];
}

/// <summary>A fact that needs root.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute() => Skip = Capabilities.RootMissing;
}

/// <summary>A fact that needs 512-bit vectors.</summary>
public sealed class Avx512FactAttribute : FactAttribute
{
    public Avx512FactAttribute() => Skip = Capabilities.Avx512Missing;
}

/// <summary>The programs (on PATH or /usr/bin) and Python modules (of the system python3) a peer test runs, and the
/// native libraries it loads: the first one missing is the reason the test is skipped.</summary>
public static class PeerTools
{
    public static string? Missing(IEnumerable<string> needs)
    {
        foreach (var need in needs)
        {
            if (need.StartsWith("py:", StringComparison.Ordinal))
            {
                var module = need[3..];
                if (!PythonModules.GetOrAdd(module, HasPythonModule)) return $"python3 has no module {module} (scripts/setup.sh installs it)";
            }
            else if (need.StartsWith("lib", StringComparison.Ordinal) && need.Contains(".so", StringComparison.Ordinal))
            {
                if (!System.Runtime.InteropServices.NativeLibrary.TryLoad(need, out var handle)) return $"{need} is not installed (scripts/setup.sh installs it)";
                System.Runtime.InteropServices.NativeLibrary.Free(handle);
            }
            else if (!OnPath(need)) return $"{need} is not installed (scripts/setup.sh installs it)";
        }
        return null;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> PythonModules = new();

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/bin").Any(d => d.Length > 0 && File.Exists(Path.Combine(d, program)));

    private static bool HasPythonModule(string module)
    {
        if (!File.Exists(ExternalTool.Python)) return false;
        try
        {
            return ExternalTool.Run(ExternalTool.Python, "-c", $"import {module}").ExitCode == 0;
        }
        catch (Exception e) when (e is IOException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}

/// <summary>A fact that runs real peer tools or loads a native library (see <see cref="PeerTools"/>): skipped where one is missing.</summary>
public sealed class PeerFactAttribute : FactAttribute
{
    public PeerFactAttribute(params string[] needs) => Skip = PeerTools.Missing(needs);
}

/// <summary>A theory that runs real peer tools or loads a native library in every row: skipped where one is missing.</summary>
public sealed class PeerTheoryAttribute : TheoryAttribute
{
    public PeerTheoryAttribute(params string[] needs) => Skip = PeerTools.Missing(needs);
}
