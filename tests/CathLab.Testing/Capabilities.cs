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
