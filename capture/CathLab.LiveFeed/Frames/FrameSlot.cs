namespace CathLab.LiveFeed.Frames;

/// <summary>One pooled copy of a published frame: the processed 16-bit pixels and the 8-bit display pixels.
/// Buffers are allocated once, at the first frame of a size, and reused. References are counted by
/// <see cref="FrameStore"/> under its lock.</summary>
internal sealed class FrameSlot
{
    public ushort[] Processed { get; private set; } = [];

    public byte[] Display { get; private set; } = [];

    public LiveFrameInfo Info { get; private set; }

    public long ReadyUnixMicroseconds { get; private set; }

    public string RunId { get; private set; } = "";

    public string ExamId { get; private set; } = "";

    internal int References;

    /// <summary>True when the slot's arrays already have these sizes.</summary>
    public bool HasSize(int processedLength, int displayLength) => Processed.Length == processedLength && Display.Length == displayLength;

    /// <summary>Makes the arrays for a frame size and writes every page once, so that the copy in <c>PublishFrame</c>
    /// does not take the page faults of fresh memory (a 3 MB slot is ~750 faults, several ms on the caller's thread).
    /// Called off the publishing thread while the slot is out of the free list.</summary>
    public void Provision(int processedLength, int displayLength)
    {
        if (HasSize(processedLength, displayLength)) return;
        var processed = new ushort[processedLength];
        var display = new byte[displayLength];
        processed.AsSpan().Fill(1); // fresh pages read as zero without being mapped: only a write maps them
        display.AsSpan().Fill(1);
        Processed = processed;
        Display = display;
    }

    public void Fill(in LiveFrameInfo info, ReadOnlySpan<ushort> processed16, ReadOnlySpan<byte> display8, long readyUs, string examId, string runId)
    {
        if (Processed.Length != processed16.Length) Processed = new ushort[processed16.Length];
        if (Display.Length != display8.Length) Display = new byte[display8.Length];
        processed16.CopyTo(Processed);
        display8.CopyTo(Display);
        Info = info;
        ReadyUnixMicroseconds = readyUs;
        ExamId = examId;
        RunId = runId;
    }
}
