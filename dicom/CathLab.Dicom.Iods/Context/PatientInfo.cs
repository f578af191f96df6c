namespace CathLab.Dicom.Iods.Context;

/// <summary>The patient as the worklist (or the technician) named them. Sex is M, F, O or empty.</summary>
public sealed record PatientInfo(string Name, string Id, DateOnly? BirthDate = null, string Sex = "");
