using OpenCvSharp;

namespace CathLab.LiveFeed.Tiers;

/// <summary>OpenCV views over the frame slots' pixel arrays, one per array and made on first use: the slots
/// are a fixed set whose arrays live as long as the hub, so after the first lap no view is made again.
/// Each view pins its array (the Mat keeps a GC handle) until the views are disposed.</summary>
internal sealed class PixelViews(MatType type) : IDisposable
{
    // Slot arrays are replaced only when the frame size changes; this bounds what stale views can pile up.
    private const int MaxViews = 256;
    private readonly Dictionary<Array, View> _views = new(ReferenceEqualityComparer.Instance);

    public InputArray Over(Array pixels, int rows, int cols)
    {
        if (_views.TryGetValue(pixels, out var view) && view.Rows == rows && view.Cols == cols) return view.Input;
        if (view is not null)
        {
            view.Dispose();
            _views.Remove(pixels);
        }
        if (_views.Count >= MaxViews) Clear();
        view = new View(Mat.FromPixelData(rows, cols, type, pixels), rows, cols);
        _views[pixels] = view;
        return view.Input;
    }

    public void Dispose() => Clear();

    private void Clear()
    {
        foreach (var v in _views.Values) v.Dispose();
        _views.Clear();
    }

    private sealed class View(Mat mat, int rows, int cols) : IDisposable
    {
        public int Rows { get; } = rows;

        public int Cols { get; } = cols;

        public InputArray Input { get; } = InputArray.Create(mat);

        public void Dispose()
        {
            Input.Dispose();
            mat.Dispose();
        }
    }
}
