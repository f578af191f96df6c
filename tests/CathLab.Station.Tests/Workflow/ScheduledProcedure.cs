using CathLab.Testing;

namespace CathLab.Station.Tests.Workflow;

/// <summary>One scheduled XA step for the station, as the RIS would put it on the worklist; written as a .wl file
/// (the format Orthanc's worklist plugin serves) with dcmtk's dump2dcm from a text dump.</summary>
internal sealed record ScheduledProcedure(string PatientName, string PatientId, string AccessionNumber, string StudyInstanceUid, string StationAeTitle)
{
    public static ScheduledProcedure ForToday(string tag, string stationAeTitle) => new(
        "DOE^JANE", $"PAT-{tag}", $"ACC-{tag}", $"1.2.826.0.1.3680043.10.1199.88.{DateTime.UtcNow.Ticks}", stationAeTitle);

    public void WriteTo(string folder)
    {
        var dump = Path.Combine(folder, AccessionNumber + ".dump");
        File.WriteAllText(dump, $"""
            (0008,0005) CS [ISO_IR 100]
            (0008,0050) SH [{AccessionNumber}]
            (0008,0090) PN [HOUSE^GREGORY]
            (0010,0010) PN [{PatientName}]
            (0010,0020) LO [{PatientId}]
            (0010,0030) DA [19610314]
            (0010,0040) CS [F]
            (0020,000d) UI [{StudyInstanceUid}]
            (0032,1060) LO [Coronary angiography]
            (0040,0100) SQ
            (fffe,e000) -
            (0008,0060) CS [XA]
            (0040,0001) AE [{StationAeTitle}]
            (0040,0002) DA [{DateTime.Now:yyyyMMdd}]
            (0040,0003) TM [083000]
            (0040,0006) PN [HEART^DOC]
            (0040,0007) LO [Left heart catheterisation]
            (0040,0009) SH [SPS-{AccessionNumber}]
            (fffe,e00d) -
            (fffe,e0dd) -
            (0040,1001) SH [RP-{AccessionNumber}]
            """);
        var r = ExternalTool.Run("/usr/bin/dump2dcm", dump, Path.Combine(folder, AccessionNumber + ".wl"));
        Assert.True(r.ExitCode == 0, r.All);
        File.Delete(dump);
    }
}
