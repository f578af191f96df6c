using System.Net;
using System.Net.Sockets;

namespace CathLab.Testing;

/// <summary>TCP connections to a listener that never send a byte (a peer that connects and says nothing), closed on dispose.</summary>
public sealed class IdleSockets(int port) : IDisposable
{
    /// <summary>The longest wait for a connection to open.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly List<TcpClient> _sockets = [];

    public IReadOnlyList<TcpClient> Sockets => _sockets;

    /// <summary>Opens one more; returns it.</summary>
    public async Task<TcpClient> OpenAsync()
    {
        var socket = new TcpClient();
        _sockets.Add(socket);
        await socket.ConnectAsync(IPAddress.Loopback, port).WaitAsync(Patience);
        return socket;
    }

    public async Task OpenAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await OpenAsync();
        }
    }

    public void Dispose() => _sockets.ForEach(s => s.Dispose());
}
