namespace CathLab.LiveFeed.Frames;

/// <summary>The fixed set of frame slots: free slots, the ring of the most recent frames (kept for a lossless
/// fetch) and the frames that observers marked. A slot goes back to the free list when nothing references it.</summary>
internal sealed class FrameStore
{
    private readonly object _gate = new();
    private readonly Stack<FrameSlot> _free;
    private readonly FrameSlot?[] _recent;
    private readonly Queue<FrameSlot> _marked = new();
    private readonly int _markedCapacity;
    private int _recentNext;

    public FrameStore(int inFlightSlots, int recentFrames, int markedFrames)
    {
        _recent = new FrameSlot?[Math.Max(recentFrames, 1)];
        _markedCapacity = Math.Max(markedFrames, 1);
        int total = inFlightSlots + _recent.Length + _markedCapacity + 2;
        _free = new Stack<FrameSlot>(total);
        for (int i = 0; i < total; i++) _free.Push(new FrameSlot());
    }

    /// <summary>A free slot holding one reference, or null when every slot is in use (the caller drops the frame).</summary>
    public FrameSlot? TryRent()
    {
        lock (_gate)
        {
            if (!_free.TryPop(out var slot)) return null;
            slot.References = 1;
            return slot;
        }
    }

    /// <summary>Adds a reference to a slot the caller already holds.</summary>
    public void Retain(FrameSlot slot)
    {
        lock (_gate) slot.References++;
    }

    /// <summary>Gives every free slot arrays of this frame size, one slot at a time and outside the lock, so that
    /// publishing meanwhile only finds one slot fewer free. Returns how many slots it provisioned.</summary>
    public int Provision(int processedLength, int displayLength)
    {
        int provisioned = 0;
        int total;
        lock (_gate) total = _free.Count + 64;
        for (int i = 0; i < total; i++)
        {
            FrameSlot? slot = null;
            lock (_gate)
            {
                foreach (var s in _free)
                {
                    if (!s.HasSize(processedLength, displayLength))
                    {
                        slot = s;
                        break;
                    }
                }
                if (slot is null) return provisioned;
                TakeFreeLocked(slot);
                slot.References = 1;
            }
            slot.Provision(processedLength, displayLength);
            provisioned++;
            Release(slot);
        }
        return provisioned;
    }

    /// <summary>For tests and diagnostics: free slots whose arrays have this frame size.</summary>
    public int FreeSlotsOfSize(int processedLength, int displayLength)
    {
        lock (_gate) return _free.Count(s => s.HasSize(processedLength, displayLength));
    }

    public void Release(FrameSlot slot)
    {
        lock (_gate) ReleaseLocked(slot);
    }

    /// <summary>Moves an encoded frame into the recent ring (the ring takes over the caller's reference).</summary>
    public void Retire(FrameSlot slot)
    {
        lock (_gate)
        {
            var evicted = _recent[_recentNext];
            _recent[_recentNext] = slot;
            _recentNext = (_recentNext + 1) % _recent.Length;
            if (evicted is not null) ReleaseLocked(evicted);
        }
    }

    /// <summary>Finds a recent or marked frame and adds a reference to it; release it when done.</summary>
    public FrameSlot? Acquire(string examId, long frameNumber)
    {
        lock (_gate)
        {
            var slot = FindLocked(examId, frameNumber);
            if (slot is not null) slot.References++;
            return slot;
        }
    }

    /// <summary>The newest frame in the ring with a reference added, when it belongs to <paramref name="examId"/>
    /// (null when the exam's frames are not the newest, or none is kept); release it when done.</summary>
    public FrameSlot? AcquireNewest(string examId)
    {
        lock (_gate)
        {
            var slot = _recent[(_recentNext + _recent.Length - 1) % _recent.Length];
            if (slot is null || slot.ExamId != examId) return null;
            slot.References++;
            return slot;
        }
    }

    /// <summary>Keeps a recent frame beyond the ring, up to the marked capacity (oldest mark evicted first).</summary>
    public bool Mark(string examId, long frameNumber)
    {
        lock (_gate)
        {
            foreach (var m in _marked)
            {
                if (m.Info.FrameNumber == frameNumber && m.ExamId == examId) return true;
            }
            var slot = Array.Find(_recent, s => s is not null && s.Info.FrameNumber == frameNumber && s.ExamId == examId);
            if (slot is null) return false;
            slot.References++;
            _marked.Enqueue(slot);
            if (_marked.Count > _markedCapacity) ReleaseLocked(_marked.Dequeue());
            return true;
        }
    }

    private FrameSlot? FindLocked(string examId, long frameNumber)
    {
        foreach (var m in _marked)
        {
            if (m.Info.FrameNumber == frameNumber && m.ExamId == examId) return m;
        }
        foreach (var s in _recent)
        {
            if (s is not null && s.Info.FrameNumber == frameNumber && s.ExamId == examId) return s;
        }
        return null;
    }

    private void TakeFreeLocked(FrameSlot slot)
    {
        // The free list is small (tens of slots) and this runs once per frame size: rebuilding it is fine.
        var rest = _free.Where(s => s != slot).Reverse().ToArray();
        _free.Clear();
        foreach (var s in rest) _free.Push(s);
    }

    private void ReleaseLocked(FrameSlot slot)
    {
        if (--slot.References == 0) _free.Push(slot);
    }
}
