using System.Security.Cryptography;
using System.Text;
using CathLab.Station.Tests.Hil;
using CathLab.Station.Tests.Support;
using CathLab.Testing;
using Grpc.Core;
using Proto = CathLab.Station.Protocol;

namespace CathLab.Station.Tests.Workflow;

/// <summary>The station as its own process (<c>dotnet cathlab-station.dll</c>), so a test can kill it with SIGKILL as a
/// power cut would and start it again on the same spool folder; driven through its gRPC control service with a
/// technician token, as the <c>cathlab</c> console drives it. The arguments are the ones <see cref="StationUnderTest"/> passes.</summary>
internal sealed class StationProcess : IDisposable
{
    private const string Token = "workflow-tech-7c41d";
    private readonly StringBuilder _earlierOutput = new();
    private readonly string[] _arguments;
    private PeerProcess? _process;
    private ControlClient? _client;

    public StationProcess(SimulatorProcess sim, IEnumerable<string> site)
    {
        Folder = Directory.CreateTempSubdirectory("cathlab-station-process-").FullName;
        int grpc = FreePort.Next(), web = FreePort.Next();
        Address = new Uri($"http://127.0.0.1:{grpc}");
        _arguments =
        [
            .. StationUnderTest.Arguments(sim, Folder, grpc, web),
            "--Station:Tokens:0:Holder=workflow-test",
            "--Station:Tokens:0:Role=technician",
            $"--Station:Tokens:0:Sha256={Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Token)))}",
            .. site,
        ];
    }

    public string Folder { get; }
    public string SpoolFolder => Path.Combine(Folder, "spool");
    public Uri Address { get; }
    public int Starts { get; private set; }

    /// <summary>The running station's process ID (for /proc).</summary>
    public int ProcessId => (_process ?? throw new InvalidOperationException("the station is not running")).Id;

    /// <summary>What every start so far has printed, the running one last.</summary>
    public string Output => _earlierOutput + (_process?.Output ?? "");

    public Proto.StationControl.StationControlClient Control => (_client ?? throw new InvalidOperationException("the station is not running")).Stub;

    public CallOptions Call => new(headers: _client!.Headers, deadline: DateTime.UtcNow.AddMinutes(2));

    public Grpc.Core.Metadata Headers => _client!.Headers;

    /// <summary>Starts the process and waits until it answers and holds the generator link.</summary>
    public async Task StartAsync()
    {
        var process = new PeerProcess("dotnet", [Path.Combine(AppContext.BaseDirectory, "cathlab-station.dll"), .. _arguments]);
        Starts++;
        _process = process;
        _client = new ControlClient(Address, Token);
        await Poll.UntilAsync(() =>
        {
            if (process.HasExited) Assert.Fail($"cathlab-station exited with {process.ExitCode}:\n{Output}");
            try
            {
                return Control.GetStatus(new Proto.GetStatusRequest(), Call).GeneratorConnected;
            }
            catch (RpcException)
            {
                return false;
            }
        }, () => $"cathlab-station never connected to the generator:\n{Output}");
    }

    /// <summary>SIGKILL: no shutdown code runs, as when the power goes.</summary>
    public void Kill()
    {
        _client?.Dispose();
        _client = null;
        if (_process is not { } process) return;
        _process = null;
        process.Kill();
        _earlierOutput.Append(process.Output).AppendLine($"---- killed (start {Starts}) ----");
        process.Dispose();
    }

    public IReadOnlyList<Proto.OutboxItem> Outbox() => [.. Control.ListOutbox(new Proto.ListOutboxRequest(), Call).Items];

    public void Dispose()
    {
        _client?.Dispose();
        _process?.Dispose();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
