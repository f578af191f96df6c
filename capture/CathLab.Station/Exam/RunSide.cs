using CathLab.Acquisition.Protocols;
using CathLab.Dicom.Iods.Context;
using CathLab.Station.Control;

namespace CathLab.Station.Exam;

/// <summary>The side a run examines, Laterality (0020,0060): given only for a protocol whose body part comes in pairs.</summary>
public static class RunSide
{
    /// <summary>Laterality is CS with the enumerated values R and L; empty says the side is not known.</summary>
    public static bool IsSide(string side) => side is "" or "R" or "L";

    public static string For(AcquisitionProtocol protocol, string? laterality)
    {
        var side = laterality ?? "";
        if (!IsSide(side)) throw new StationRefusedException($"laterality '{side}' must be R, L or empty");
        if (side.Length > 0 && !SeriesInfo.PairedBodyParts.Contains(protocol.BodyPart))
            throw new StationRefusedException($"a side is given only for a paired body part; protocol {protocol.Name} examines {protocol.BodyPart}");
        return side;
    }
}
