using System.Xml.Linq;
using CathLab.Security.Audit;
using CathLab.Security.Audit.Atna;
using CathLab.Testing;

namespace CathLab.Station.Tests.Audit;

/// <summary>The audit repository is a real rsyslog (imtcp, octet-counted RFC 5424) started by the test. It is down
/// while records are made and the station "restarts" (the forwarder is disposed and opened again on the same spool);
/// once it listens, every message arrives once, in order, as a DICOM audit message.</summary>
public sealed class AtnaSyslogForwarderTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    [Fact]
    public async Task Records_made_while_the_repository_is_down_arrive_once_in_order_after_a_restart()
    {
        int port = FreePort.Next();
        var settings = new AtnaSyslogSettings { Host = "127.0.0.1", Port = port, SpoolPath = _folder.File("spool.db"), SourceId = "CATHLAB-1", RetryInterval = TimeSpan.FromMilliseconds(200) };
        var at = new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);
        using (var before = new AtnaSyslogForwarder(new JsonLinesAuditLog(null), settings))
        {
            for (int i = 0; i < 3; i++) before.Record(new AuditRecord(at.AddSeconds(i), $"user-{i}", "watch-start", "OK", "EX-7", Peer: "10.0.0.9:4000"));
        }
        using var forwarder = new AtnaSyslogForwarder(new JsonLinesAuditLog(null), settings);
        forwarder.Record(new AuditRecord(at.AddSeconds(3), "user-3", "console-sign-in", "Unauthenticated", Detail: "token not recognised"));
        Assert.Equal(4, forwarder.Waiting);

        string output = _folder.File("received.log");
        File.WriteAllText(_folder.File("rsyslog.conf"), $"""
            global(workDirectory="{_folder.Sub("work")}")
            module(load="imtcp")
            input(type="imtcp" port="{port}" address="127.0.0.1")
            template(name="msgonly" type="string" string="%msgid% %msg%\n")
            *.* action(type="omfile" file="{output}" template="msgonly")
            """);
        using var rsyslog = new PeerProcess("rsyslogd", ["-n", "-f", _folder.File("rsyslog.conf"), "-i", _folder.File("rsyslog.pid")]);
        for (int i = 0; i < 200 && (forwarder.Waiting > 0 || !File.Exists(output) || File.ReadAllLines(output).Length < 4); i++) await Task.Delay(50);

        var lines = File.ReadAllLines(output);
        Assert.True(lines.Length == 4, rsyslog.Output + string.Join("\n", lines));
        var messages = lines.Select(l => { Assert.StartsWith("IHE+RFC-3881 ", l); return XElement.Parse(l["IHE+RFC-3881 ".Length..]); }).ToArray();
        Assert.Equal(["user-0", "user-1", "user-2", "user-3"], messages.Select(m => m.Element("ActiveParticipant")!.Attribute("UserID")!.Value));
        Assert.Equal("110103", messages[0].Element("EventIdentification")!.Element("EventID")!.Attribute("csd-code")!.Value);
        Assert.Equal("EX-7", messages[0].Element("ParticipantObjectIdentification")!.Attribute("ParticipantObjectID")!.Value);
        Assert.Equal("4", messages[3].Element("EventIdentification")!.Attribute("EventOutcomeIndicator")!.Value);
        Assert.Equal("110114", messages[3].Element("EventIdentification")!.Element("EventID")!.Attribute("csd-code")!.Value);
        Assert.Equal(0, forwarder.Waiting);
    }

    public void Dispose() => _folder.Dispose();
}
