using System.Net;
using System.Text;
using CathLab.Testing;

namespace CathLab.Station.Tests.Web;

/// <summary>What a browser test may ask of the rig over HTTP on 127.0.0.1: the simulated generator's own state and
/// pulse count (<c>GET /generator</c>), and the rig's actions (<c>POST /NAME</c>, answered once the action is done:
/// the relay's stall, a restart of the station, a PACS that stops refusing, as the test passes them).</summary>
internal sealed class RigHook : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly SimulatorProcess _sim;
    private readonly IReadOnlyDictionary<string, Func<Task>> _actions;
    private readonly SemaphoreSlim _asking = new(1, 1);
    private readonly Task _serving;

    public RigHook(SimulatorProcess sim, IReadOnlyDictionary<string, Func<Task>> actions)
    {
        _sim = sim;
        _actions = actions;
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
            string path = context.Request.Url?.AbsolutePath ?? "/";
            int status = 200;
            if (context.Request.HttpMethod == "POST")
            {
                if (_actions.TryGetValue(path.TrimStart('/'), out var action))
                {
                    await action();
                    answer = $"{{\"done\":\"{path.TrimStart('/')}\"}}";
                }
                else
                {
                    (status, answer) = (404, $"{{\"unknown\":\"{path}\"}}");
                }
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
            context.Response.StatusCode = status;
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
