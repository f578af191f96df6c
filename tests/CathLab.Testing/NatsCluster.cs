using System.Text;

namespace CathLab.Testing;

/// <summary>A real three-server nats-server cluster (JetStream on, user/password auth) on 127.0.0.1 free ports in a
/// temporary folder; stopped and removed on dispose. One account holds the live feed: the station may publish the
/// feed's subjects and use JetStream; a relay may use JetStream and read; anyone without credentials is refused.</summary>
public sealed class NatsCluster : IDisposable
{
    public const string StationUser = "station";
    public const string StationPassword = "station-secret-4e1b";
    public const string RelayUser = "relay";
    public const string RelayPassword = "relay-secret-a77c";
    private readonly TempDirectory _folder = new();
    private readonly PeerProcess?[] _servers;
    private readonly string[] _configs;

    public NatsCluster(int servers = 3, string subjectPrefix = "cathlab")
    {
        _configs = new string[servers];
        _servers = new PeerProcess?[servers];
        for (int attempt = 1; ; attempt++)
        {
            ClientPorts = Enumerable.Range(0, servers).Select(_ => FreePort.Next()).ToArray();
            int[] routes = Enumerable.Range(0, servers).Select(_ => FreePort.Next()).ToArray();
            for (int i = 0; i < servers; i++)
            {
                _configs[i] = _folder.File($"n{i}-{attempt}.conf");
                File.WriteAllText(_configs[i], Config(i, ClientPorts[i], routes, subjectPrefix, _folder.Sub($"js{i}-{attempt}")));
            }
            try
            {
                for (int i = 0; i < servers; i++) Start(i);
                for (int i = 0; i < servers; i++) _servers[i]!.WaitForPort(ClientPorts[i]);
                return;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // A port free a moment ago was taken (by another test, or by a route connection of these servers): all
                // three start again on fresh ports.
                for (int i = 0; i < servers; i++) Kill(i);
            }
        }
    }

    public int[] ClientPorts { get; private set; } = [];

    public IReadOnlyList<string> Urls => ClientPorts.Select(p => $"nats://127.0.0.1:{p}").ToArray();

    /// <summary>SIGKILL to one server, as when its machine fails.</summary>
    public void Kill(int server)
    {
        _servers[server]?.Kill();
        _servers[server]?.Dispose();
        _servers[server] = null;
    }

    public void Restart(int server)
    {
        Start(server);
        _servers[server]!.WaitForPort(ClientPorts[server]);
    }

    public string OutputOf(int server) => _servers[server]?.Output ?? "";

    private void Start(int i) => _servers[i] = new PeerProcess("nats-server", ["-c", _configs[i]]);

    private static string Config(int index, int clientPort, int[] routePorts, string prefix, string storeDir)
    {
        var routes = string.Join(", ", routePorts.Where((_, i) => i != index).Select(p => $"\"nats-route://127.0.0.1:{p}\""));
        var config = new StringBuilder();
        config.AppendLine($"server_name: n{index}");
        config.AppendLine($"listen: 127.0.0.1:{clientPort}");
        config.AppendLine($"jetstream {{ store_dir: \"{storeDir}\", max_memory_store: 268435456, max_file_store: 268435456 }}");
        config.AppendLine($"cluster {{ name: cathlab, listen: 127.0.0.1:{routePorts[index]}, routes: [{routes}] }}");
        config.AppendLine("accounts {");
        config.AppendLine("  LIVE {");
        config.AppendLine("    jetstream: enabled");
        config.AppendLine("    users: [");
        config.AppendLine($"      {{ user: {StationUser}, password: \"{StationPassword}\", permissions: {{ publish: [\"{prefix}.>\", \"$JS.API.>\"], subscribe: [\"_INBOX.>\"] }} }}");
        config.AppendLine($"      {{ user: {RelayUser}, password: \"{RelayPassword}\", permissions: {{ publish: [\"$JS.API.>\", \"$JS.ACK.>\", \"$JS.FC.>\"], subscribe: [\"{prefix}.>\", \"_INBOX.>\"] }} }}");
        config.AppendLine("    ]");
        config.AppendLine("  }");
        config.AppendLine("}");
        return config.ToString();
    }

    public void Dispose()
    {
        for (int i = 0; i < _servers.Length; i++) Kill(i);
        _folder.Dispose();
    }
}
