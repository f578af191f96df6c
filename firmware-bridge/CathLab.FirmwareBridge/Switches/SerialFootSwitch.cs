using CathLab.FirmwareBridge.Link;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CathLab.FirmwareBridge.Switches;

/// <summary>A foot-switch box on a serial line that sends its level at a fixed interval (<see cref="FootSwitchLevel"/>).
/// One thread reads the line in short slices, so a stale level is noticed within a slice of its window; a line that
/// fails (the box unplugged, the adapter gone) releases at once, and the line is reopened until the box is back.</summary>
public sealed class SerialFootSwitch : IExposureSwitch
{
    /// <summary>The longest one read waits: how late past <see cref="FootSwitchLevel.StaleAfter"/> a silence is noticed.</summary>
    public const int ReadSliceMs = 10;

    /// <summary>A line silent this long is closed and opened again (the level went stale long before).</summary>
    public static readonly TimeSpan SilentReopenAfter = TimeSpan.FromSeconds(1);

    private readonly ISerialConnector _connector;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly FootSwitchLevel _level;
    private readonly TimeSpan _reopenDelay;
    private readonly CancellationTokenSource _stop = new();
    private Thread? _thread;
    private int _disposed;

    public SerialFootSwitch(ISerialConnector connector, TimeSpan staleAfter, TimeProvider? time = null, ILogger<SerialFootSwitch>? logger = null, TimeSpan? reopenDelay = null)
    {
        _connector = connector;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _level = new FootSwitchLevel(staleAfter, _time);
        _reopenDelay = reopenDelay ?? TimeSpan.FromMilliseconds(500);
    }

    public string Description => $"foot switch on {_connector.Description}";

    public bool IsPressed => _level.IsPressed;

    public event Action<bool, string>? Changed;

    public void Start()
    {
        if (_thread is not null) return;
        _thread = new Thread(Run) { IsBackground = true, Name = "foot-switch", Priority = ThreadPriority.AboveNormal };
        _thread.Start();
    }

    private void Run()
    {
        Span<byte> buffer = stackalloc byte[64];
        while (!_stop.IsCancellationRequested)
        {
            ISerialConnection connection;
            try
            {
                connection = _connector.Open();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                _logger.LogDebug("{Switch} not open: {Error}", Description, e.Message);
                _stop.Token.WaitHandle.WaitOne(_reopenDelay);
                continue;
            }
            _logger.LogInformation("{Switch} open", Description);
            try
            {
                long lastByte = _time.GetTimestamp();
                while (!_stop.IsCancellationRequested)
                {
                    int n = connection.Read(buffer, ReadSliceMs);
                    long now = _time.GetTimestamp();
                    Report(_level.Take(buffer[..n], now));
                    if (n > 0) lastByte = now;
                    // A pty or USB adapter that went away does not always fail the read: it just stays silent, on a
                    // device that is no longer the box's. A box sends every 20 ms, so a long silence reopens the line.
                    else if (_time.GetElapsedTime(lastByte, now) > SilentReopenAfter)
                    {
                        _logger.LogWarning("{Switch} silent for {Silence} ms: reopening the line", Description, SilentReopenAfter.TotalMilliseconds);
                        break;
                    }
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or UnauthorizedAccessException)
            {
                _logger.LogWarning("{Switch} lost: {Error}", Description, e.Message);
                Report(_level.Lost());
            }
            finally
            {
                _ = Task.Run(connection.Dispose);
            }
            _stop.Token.WaitHandle.WaitOne(_reopenDelay);
        }
    }

    private void Report(string? change)
    {
        if (change is null) return;
        _logger.LogInformation("{Switch}: {Change}", Description, change);
        try
        {
            Changed?.Invoke(_level.IsPressed, change);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "a foot switch listener failed");
        }
    }

    /// <summary>Stops watching; a pressed level is released (<see cref="SwitchReasons.Stopped"/>). Safe to call twice
    /// (the station's service stops it, then the container disposes it).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _stop.Cancel();
        if (_thread is not null && Thread.CurrentThread != _thread) _thread.Join(TimeSpan.FromSeconds(2));
        if (_level.Lost() is not null) Report(SwitchReasons.Stopped);
        if (_thread is null || !_thread.IsAlive) _stop.Dispose();
    }
}
