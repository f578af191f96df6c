namespace CathLab.LiveFeed.Publishing;

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
