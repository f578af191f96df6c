using CathLab.Acquisition.Protocols;

namespace CathLab.Station.Exam;

/// <summary>The acquisition protocols this station offers.</summary>
public sealed record ProtocolSet(IReadOnlyList<AcquisitionProtocol> All)
{
    public AcquisitionProtocol Find(string name) => ProtocolCatalog.Find(All, name);
}
