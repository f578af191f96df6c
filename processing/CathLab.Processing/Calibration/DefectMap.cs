using CathLab.Processing.Frames;

namespace CathLab.Processing.Calibration;

/// <summary>Which detector pixels are defective: single pixels and whole rows or columns.</summary>
public sealed class DefectMap
{
    private readonly bool[] _defective;

    public DefectMap(FrameGeometry geometry)
    {
        geometry.Validate();
        Geometry = geometry;
        _defective = new bool[geometry.PixelCount];
    }

    public FrameGeometry Geometry { get; }

    public int Count { get; private set; }

    public bool IsDefective(int x, int y) => _defective[y * Geometry.Width + x];

    public void AddPixel(int x, int y)
    {
        if ((uint)x >= (uint)Geometry.Width || (uint)y >= (uint)Geometry.Height)
            throw new ArgumentOutOfRangeException(nameof(x), $"defect pixel ({x}, {y}) lies outside the {Geometry.Width}x{Geometry.Height} frame");
        ref bool flag = ref _defective[y * Geometry.Width + x];
        if (!flag) { flag = true; Count++; }
    }

    public void AddRow(int y)
    {
        if ((uint)y >= (uint)Geometry.Height) throw new ArgumentOutOfRangeException(nameof(y), y, "defect row outside the frame");
        for (int x = 0; x < Geometry.Width; x++) AddPixel(x, y);
    }

    public void AddColumn(int x)
    {
        if ((uint)x >= (uint)Geometry.Width) throw new ArgumentOutOfRangeException(nameof(x), x, "defect column outside the frame");
        for (int y = 0; y < Geometry.Height; y++) AddPixel(x, y);
    }

    public IEnumerable<int> DefectiveIndices()
    {
        for (int i = 0; i < _defective.Length; i++)
            if (_defective[i]) yield return i;
    }
}
