using CathLab.Testing;

namespace CathLab.Publishing.Tests.Support;

/// <summary>dcmtk's storescp on a 127.0.0.1 port, writing what it receives into a folder. Files are named after the SOP
/// instance UID, so a re-sent object lands on the same name.</summary>
public sealed class Storescp : IDisposable
{
    public const string AeTitle = "STORESCP";
    private PeerProcess? _process;

    public Storescp(string inbox, int? port = null)
    {
        Inbox = Directory.CreateDirectory(inbox).FullName;
        Port = port ?? FreePort.Next();
    }

    public string Inbox { get; }
    public int Port { get; }

    /// <summary>Starts it; <paramref name="options"/> go before the port (e.g. storescp's TLS options).</summary>
    public Storescp Start(params string[] options)
    {
        _process = new PeerProcess("storescp", ["--aetitle", AeTitle, "--output-directory", Inbox, "--filename-extension", ".dcm", .. options, Port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        _process.WaitForPort(Port);
        return this;
    }

    public PacsDestination Destination(string name = "storescp") => new(name, AeTitle, "127.0.0.1", Port) { RequestCommitment = false };

    /// <summary>SOP instance UIDs received (storescp names files &lt;modality&gt;.&lt;uid&gt;.dcm).</summary>
    public IReadOnlyList<string> ReceivedUids() =>
        [.. Directory.GetFiles(Inbox, "*.dcm").Select(f => Path.GetFileNameWithoutExtension(f)).Select(n => n[(n.IndexOf('.', StringComparison.Ordinal) + 1)..])];

    public string Log => _process?.Output ?? "";

    public void Dispose() => _process?.Dispose();
}
