namespace CathLab.Testing;

/// <summary>Plays the foot-switch box of docs/firmware-bridge.md ("Hardware foot switch") on one end of a pty pair:
/// one level byte (<c>D</c> down, <c>U</c> up) every 20 ms, until it falls silent, is disposed, or its cable is pulled.</summary>
public sealed class FootSwitchBox : IDisposable
{
    public const byte Down = (byte)'D';
    public const byte Up = (byte)'U';

    private readonly FileStream _line;
    private readonly Thread _thread;
    private volatile byte _level = Up;
    private volatile bool _silent;
    private volatile bool _stop;

    public FootSwitchBox(string port)
    {
        _line = new FileStream(port, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 1);
        _thread = new Thread(Send) { IsBackground = true, Name = "foot-switch box" };
        _thread.Start();
    }

    public void Press() => _level = Down;

    public void Release() => _level = Up;

    /// <summary>The box stops sending, pedal still down: a stuck or unpowered box, a broken wire.</summary>
    public void FallSilent() => _silent = true;

    private void Send()
    {
        Span<byte> one = stackalloc byte[1];
        try
        {
            while (!_stop)
            {
                if (!_silent)
                {
                    one[0] = _level;
                    _line.Write(one);
                    _line.Flush();
                }
                Thread.Sleep(20);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // the cable was pulled
        }
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join(TimeSpan.FromSeconds(2));
        try
        {
            _line.Dispose();
        }
        catch (IOException)
        {
            // the pty is already gone
        }
    }
}
