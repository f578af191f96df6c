using CathLab.Testing;

namespace CathLab.Workflow.Tests;

/// <summary>A scheduled step as a test writes it into a worklist folder.</summary>
internal sealed record ScheduledStep(string Name, string PatientName, string PatientId, string Accession, string Modality, string StationAe, string Date)
{
    public string BirthDate { get; init; } = "19600101";
    public string StudyUid { get; init; } = "1.2.826.0.1.3680043.10.1199.77." + (Name[0] - 'a' + 1);
}

/// <summary>Writes .wl files (the format wlmscpfs and Orthanc's worklist plugin serve) with dcmtk's dump2dcm from a text dump.</summary>
internal static class WorklistFiles
{
    public static void Write(string directory, ScheduledStep s)
    {
        var dump = Path.Combine(directory, s.Name + ".dump");
        File.WriteAllText(dump, $"""
            (0008,0005) CS [ISO_IR 100]
            (0008,0050) SH [{s.Accession}]
            (0008,0090) PN [HOUSE^GREGORY]
            (0010,0010) PN [{s.PatientName}]
            (0010,0020) LO [{s.PatientId}]
            (0010,0030) DA [{s.BirthDate}]
            (0010,0040) CS [F]
            (0020,000d) UI [{s.StudyUid}]
            (0032,1060) LO [Coronary angiography]
            (0040,0100) SQ
            (fffe,e000) -
            (0008,0060) CS [{s.Modality}]
            (0040,0001) AE [{s.StationAe}]
            (0040,0002) DA [{s.Date}]
            (0040,0003) TM [083000]
            (0040,0006) PN [HEART^DOC]
            (0040,0007) LO [Left heart catheterisation]
            (0040,0009) SH [SPS-{s.Accession}]
            (fffe,e00d) -
            (fffe,e0dd) -
            (0040,1001) SH [RP-{s.Accession}]
            """);
        var r = ExternalTool.Run("/usr/bin/dump2dcm", dump, Path.Combine(directory, s.Name + ".wl"));
        Assert.True(r.ExitCode == 0, r.All);
        File.Delete(dump);
    }
}
