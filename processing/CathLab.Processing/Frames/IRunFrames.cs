namespace CathLab.Processing.Frames;

/// <summary>The raw frames of one acquired run, by index from 0, as kept by the recorder; used to
/// build or rebuild (remask) a subtraction mask after the run without re-acquiring.</summary>
public interface IRunFrames
{
    int Count { get; }

    ReadOnlySpan<ushort> Frame(int index);
}
