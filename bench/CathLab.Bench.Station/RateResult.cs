namespace CathLab.Bench.Station;

/// <summary>What one recorded cine run at one frame rate showed, end to end through the station.</summary>
internal sealed record RateResult(
    double Rate,
    double HeldSeconds,
    string RunState,
    string? Failure,
    string? LastAlert,
    int Pulses,
    int FramesReceived,
    long FramesRecorded,
    int? ObjectFrames,
    string? ObjectProblem,
    IReadOnlyList<(string Consumer, long Dropped)> DroppedPerConsumer,
    long PoolExhausted,
    long Processed,
    long LiveFramesPublished,
    double LatencyP50Ms,
    double LatencyP99Ms,
    double LatencyMaxMs,
    double RunSeconds,
    double StationCores,
    double SimulatorCores,
    GcFigures StationGc,
    long ObjectBytes,
    double RecorderBytesPerSecond,
    double DiskBytesPerSecond,
    string LoadBefore,
    string LoadAfter)
{
    public string? ObjectTransferSyntax { get; init; }

    /// <summary>Frame bytes as acquired (1024 × 1024 × 2) over the object's bytes: what RLE Lossless saved.</summary>
    public double CompressionRatio => ObjectBytes > 0 && ObjectFrames is { } f ? f * 1024.0 * 1024 * 2 / ObjectBytes : double.NaN;

    public double RecorderToDisk => DiskBytesPerSecond > 0 ? RecorderBytesPerSecond / DiskBytesPerSecond : double.NaN;
    /// <summary>Pulses per second of pedal time: below the protocol's rate when the generator skipped pulses or the run ended early.</summary>
    public double PulseRateAchieved => Pulses / HeldSeconds;

    public bool ObjectMatchesPulses => ObjectFrames == Pulses;
    public long RecorderDropped => DroppedPerConsumer.Where(d => d.Consumer == "recorder").Sum(d => d.Dropped);
}

/// <summary>The station process's garbage collections over the run: a long pause stalls every station thread at once.</summary>
internal readonly record struct GcFigures(int Gen2Collections, TimeSpan Pause, long AllocatedBytes);
