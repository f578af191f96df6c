using System.Net;
using System.Text;
using CathLab.Testing;

namespace CathLab.Station.Tests.Web;

/// <summary>What a browser test may ask of the rig over HTTP on 127.0.0.1: the simulated generator's own state and
/// pulse count (<c>GET /generator</c>), the relay's stall (<c>POST /stall</c>) for the lost-connection case, and a
/// restart of the station (<c>POST /restart-station</c>, answered once the station is back).</summary>
internal sealed class SimulatorHook : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly SimulatorProcess _sim;
    private readonly StallingRelay? _relay;
    private readonly SemaphoreSlim _asking = new(1, 1);
    private readonly Task _serving;
    private readonly Func<Task>? _restartStation;

    public SimulatorHook(SimulatorProcess sim, StallingRelay? relay, Func<Task>? restartStation = null)
    {
        _sim = sim;
        _relay = relay;
        _restartStation = restartStation;
        for (int attempt = 0; ; attempt++)
        {
            Port = FreePort.Next();
            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            try
            {
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 3)
            {
                _listener.Prefixes.Clear();
            }
        }
        _serving = ServeAsync();
    }

    public int Port { get; private set; }
    public string Url => $"http://127.0.0.1:{Port}";

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            string answer;
            if (context.Request.Url?.AbsolutePath == "/stall" && _relay is not null)
            {
                _relay.Stall();
                answer = "{\"stalled\":true}";
            }
            else if (context.Request.Url?.AbsolutePath == "/restart-station" && _restartStation is not null)
            {
                await _restartStation();
                answer = "{\"restarted\":true}";
            }
            else
            {
                // The simulator answers one "status" at a time.
                await _asking.WaitAsync();
                try
                {
                    var (state, pulses) = await _sim.GeneratorStatusAsync();
                    answer = $"{{\"state\":\"{state}\",\"pulses\":{pulses}}}";
                }
                finally
                {
                    _asking.Release();
                }
            }
            byte[] body = Encoding.UTF8.GetBytes(answer);
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(body);
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving;
    }
}
