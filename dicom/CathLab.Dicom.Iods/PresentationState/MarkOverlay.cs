using CathLab.Dicom.Data;

namespace CathLab.Dicom.Iods.PresentationState;

/// <summary>
/// The marks' lines as a graphics overlay of the state (Overlay Plane C.9.2 in the state, activated on the marks'
/// layer by Overlay Activation C.11.7): viewers and renderers that draw overlays but not graphic objects (dcmtk's
/// dcmp2pgm among them) show the same lines; texts stay graphic annotations only.
/// </summary>
internal sealed class MarkOverlay(int rows, int columns)
{
    private const ushort Group = 0x6000;
    private readonly byte[] _bits = new byte[(rows * columns + 15) / 16 * 2];

    public void Line((double X, double Y) a, (double X, double Y) b)
    {
        // One sample per pixel of the longer side; coordinates are pixel edges, pixel i covers [i, i+1).
        int steps = (int)Math.Ceiling(Math.Max(Math.Abs(b.X - a.X), Math.Abs(b.Y - a.Y))) + 1;
        for (int i = 0; i <= steps; i++)
        {
            double t = (double)i / steps;
            Set(a.X + (b.X - a.X) * t, a.Y + (b.Y - a.Y) * t);
        }
    }

    public void Circle((double X, double Y) centre, double radius)
    {
        int steps = Math.Max(16, (int)Math.Ceiling(2 * Math.PI * radius));
        for (int i = 0; i < steps; i++)
        {
            double angle = 2 * Math.PI * i / steps;
            Set(centre.X + radius * Math.Cos(angle), centre.Y + radius * Math.Sin(angle));
        }
    }

    private void Set(double x, double y)
    {
        int column = (int)Math.Floor(x), row = (int)Math.Floor(y);
        if (column < 0 || row < 0 || column >= columns || row >= rows) return;
        int index = row * columns + column;
        _bits[index / 8] |= (byte)(1 << (index % 8));
    }

    public void AddTo(DicomDataSet ds, string layer)
    {
        ds.SetInt(new DicomTag(Group, 0x0010), DicomVR.US, rows);
        ds.SetInt(new DicomTag(Group, 0x0011), DicomVR.US, columns);
        ds.SetString(new DicomTag(Group, 0x0022), DicomVR.LO, "Case discussion marks");
        ds.SetString(new DicomTag(Group, 0x0040), DicomVR.CS, "G");
        ds.SetInt(new DicomTag(Group, 0x0050), DicomVR.SS, 1, 1);
        ds.SetInt(new DicomTag(Group, 0x0100), DicomVR.US, 1);
        ds.SetInt(new DicomTag(Group, 0x0102), DicomVR.US, 0);
        ds.SetString(new DicomTag(Group, 0x1001), DicomVR.CS, layer);
        ds.SetBytes(new DicomTag(Group, 0x3000), DicomVR.OW, _bits);
    }
}
