namespace CathLab.Dicom.Iods.Context;

/// <summary>
/// The station as equipment. The RDSR's Enhanced General Equipment module makes manufacturer, model, serial
/// number and software versions type 1, so they must not be empty. <see cref="DeviceUid"/> identifies the
/// station as the RDSR's device observer and must stay the same across exams.
/// </summary>
public sealed record EquipmentInfo(string ModelName, string StationName, string SoftwareVersions, string DeviceSerialNumber, string DeviceUid)
{
    public const string StationManufacturer = "CathLab";
    public string Manufacturer { get; init; } = StationManufacturer;
    public string InstitutionName { get; init; } = "";
}
