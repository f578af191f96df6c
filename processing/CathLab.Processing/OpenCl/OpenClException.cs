namespace CathLab.Processing.OpenCl;

public sealed class OpenClException(string what, int code) : Exception($"OpenCL {what} failed with error {code}")
{
    public int Code { get; } = code;

    public static void Check(int code, string what)
    {
        if (code != 0) throw new OpenClException(what, code);
    }
}
