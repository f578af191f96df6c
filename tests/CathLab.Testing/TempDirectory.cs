namespace CathLab.Testing;

/// <summary>A scratch directory removed on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("cathlab-test-").FullName;

    /// <summary>Every file in the directory and below.</summary>
    public string[] Files => Directory.GetFiles(Path, "*", SearchOption.AllDirectories);

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string Sub(string name) => Directory.CreateDirectory(System.IO.Path.Combine(Path, name)).FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // a peer may still hold a file; the OS temp cleaner takes it later
        }
    }
}
