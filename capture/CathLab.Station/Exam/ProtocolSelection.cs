using CathLab.Acquisition.Protocols;
using CathLab.Station.Control;

namespace CathLab.Station.Exam;

/// <summary>The protocol (and side) the next run uses when the pedal names none: the first of the station's protocols
/// until the technician selects another.</summary>
public sealed class ProtocolSelection(ProtocolSet protocols)
{
    private readonly Lock _gate = new();
    private (AcquisitionProtocol Protocol, string Side) _selected = (protocols.All[0], "");

    public IReadOnlyList<AcquisitionProtocol> All => protocols.All;

    /// <summary>The protocol named <paramref name="name"/>; refused when the station has none of that name.</summary>
    public AcquisitionProtocol Find(string name)
    {
        try
        {
            return protocols.Find(name);
        }
        catch (KeyNotFoundException e)
        {
            throw new StationRefusedException(e.Message);
        }
    }

    public (AcquisitionProtocol Protocol, string Side) Selected
    {
        get { lock (_gate) return _selected; }
    }

    public void Select(AcquisitionProtocol protocol, string side)
    {
        lock (_gate) _selected = (protocol, side);
    }
}
