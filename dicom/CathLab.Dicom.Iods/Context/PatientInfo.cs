namespace CathLab.Dicom.Iods.Context;

/// <summary>The patient as the worklist (or the technician) named them. Sex is M, F, O or empty. <see cref="Comments"/>
/// goes into Patient Comments (0010,4000) when not empty, e.g. the station's request to reconcile an emergency patient.</summary>
public sealed record PatientInfo(string Name, string Id, DateOnly? BirthDate = null, string Sex = "")
{
    public string Comments { get; init; } = "";
}
