using CathLab.FirmwareBridge;
using CathLab.Wire.Generator;

namespace CathLab.Station.Exam;

/// <summary>What the console's status line shows of the generator, from its own events: the technique of the last
/// pulse, the air kerma rate over the last second, the tube heat, and the last alert (the generator's or the station's). Thread-safe; no allocation per pulse.</summary>
public sealed class GeneratorTelemetry
{
    private const int Window = 128;
    private readonly Lock _gate = new();
    private readonly long[] _ticks = new long[Window];
    private readonly uint[] _nanoGray = new uint[Window];
    private int _next;
    private Technique _technique;
    private byte _heatPercent;
    private StationAlert? _lastAlert;
    private double _kvSum, _maSum, _widthSum;
    private long _runPulses;

    private readonly TimeProvider _time;

    public GeneratorTelemetry(GeneratorBridge bridge, TimeProvider time)
    {
        _time = time;
        bridge.Link.EventReceived += OnEvent;
        bridge.Alert += alert => Raise(alert.Kind.ToString(), alert.Text, alert.At);
    }

    public Technique LastTechnique { get { lock (_gate) return _technique; } }

    public byte HeatPercent { get { lock (_gate) return _heatPercent; } }

    public StationAlert? LastAlert { get { lock (_gate) return _lastAlert; } }

    /// <summary>Shows the technician something the station itself decided (a run it ended), beside the generator's alerts.</summary>
    public void Raise(string kind, string text, DateTimeOffset? at = null)
    {
        var alert = new StationAlert(kind, at ?? _time.GetLocalNow(), text);
        lock (_gate) _lastAlert = alert;
    }

    /// <summary>Starts the technique means of a new run.</summary>
    public void BeginRun()
    {
        lock (_gate)
        {
            _kvSum = _maSum = _widthSum = 0;
            _runPulses = 0;
        }
    }

    /// <summary>Mean kV, mA and pulse width of the pulses since <see cref="BeginRun"/> (zeros when there were none).</summary>
    public (double Kv, double Ma, double PulseWidthMs) RunMeans
    {
        get
        {
            lock (_gate) return _runPulses == 0 ? (0, 0, 0) : (_kvSum / _runPulses, _maSum / _runPulses, _widthSum / _runPulses);
        }
    }

    /// <summary>Air kerma at the reference point delivered in the last second, scaled to a minute.</summary>
    public double AirKermaRateMilliGrayPerMinute
    {
        get
        {
            long since = _time.GetTimestamp() - _time.TimestampFrequency;
            double nanoGray = 0;
            lock (_gate)
            {
                for (int i = 0; i < Window; i++)
                {
                    if (_ticks[i] > since && _ticks[i] != 0) nanoGray += _nanoGray[i];
                }
            }
            return nanoGray * 1e-6 * 60;
        }
    }

    private void OnEvent(GeneratorEvent e)
    {
        switch (e)
        {
            case PulseEvent pulse:
                lock (_gate)
                {
                    _technique = pulse.Technique;
                    _kvSum += pulse.Technique.Kv;
                    _maSum += pulse.Technique.Ma;
                    _widthSum += pulse.Technique.PulseWidthMs;
                    _runPulses++;
                    _ticks[_next] = _time.GetTimestamp();
                    _nanoGray[_next] = pulse.AirKermaNanoGray;
                    _next = (_next + 1) % Window;
                }
                break;
            case HeatEvent heat:
                lock (_gate) _heatPercent = heat.Percent;
                break;
        }
    }
}
