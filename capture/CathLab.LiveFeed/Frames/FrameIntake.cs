using CathLab.Contracts;
namespace CathLab.LiveFeed.Frames;

/// <summary>Takes published frames in: copies both images into a free slot and queues it for the encoder, never
/// waiting. A frame outside an exam, or with no slot or queue place free, is dropped for the live feed and counted.</summary>
internal sealed class FrameIntake(OpenExam exam, FrameStore store, EncoderQueue queue)
{
    private long _published;
    private long _taken;
    private long _dropped;

    public long Published => Interlocked.Read(ref _published);

    /// <summary>Frames handed to the encoder.</summary>
    public long Taken => Interlocked.Read(ref _taken);

    public long DroppedBeforeEncoder => Interlocked.Read(ref _dropped);

    /// <returns>False when the frame was dropped.</returns>
    public bool Publish(in LiveFrameInfo info, ReadOnlySpan<ushort> processed16, ReadOnlySpan<byte> display8)
    {
        if (processed16.Length != info.Width * info.Height)
            throw new ArgumentException($"the processed frame holds {processed16.Length} pixels, not {info.Width}×{info.Height}", nameof(processed16));
        if (display8.Length != info.DisplayWidth * info.DisplayHeight)
            throw new ArgumentException($"the display frame holds {display8.Length} pixels, not {info.DisplayWidth}×{info.DisplayHeight}", nameof(display8));
        Interlocked.Increment(ref _published);
        string examId = exam.ExamId;
        if (examId.Length == 0) return Dropped();
        var slot = store.TryRent();
        if (slot is null) return Dropped();
        slot.Fill(info, processed16, display8, UnixClock.NowMicroseconds(), examId, exam.RunId);
        if (queue.TryAdd(slot))
        {
            Interlocked.Increment(ref _taken);
            return true;
        }
        store.Release(slot);
        return Dropped();
    }

    private bool Dropped()
    {
        Interlocked.Increment(ref _dropped);
        return false;
    }
}
