using CathLab.Publishing.Intake;
using CathLab.Publishing.Journal;
using CathLab.Publishing.Tests.Support;
using CathLab.Testing;

namespace CathLab.Publishing.Tests;

/// <summary>Only complete objects enter the outbox; a refused file leaves the journal untouched.</summary>
public sealed class IntakeTests : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private Outbox _outbox = null!;

    public Task InitializeAsync()
    {
        _outbox = Outbox.Open(TestOutbox.Options(_temp.File("outbox.db"), TestOutbox.Nowhere()) with { IdlePoll = TimeSpan.FromSeconds(30) });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _outbox.DisposeAsync();
        _temp.Dispose();
    }

    [Fact]
    public void APartialRunIsRefused()
    {
        var path = _temp.File("run1.dcm.partial");
        SyntheticDicomFile.Write(path, frames: 2, rows: 16, columns: 16);
        var error = Assert.Throws<OutboxFileRejectedException>(() => _outbox.Add(path));
        Assert.Contains("partial", error.Reason, StringComparison.Ordinal);
        Assert.Empty(_outbox.Items());
    }

    [Fact]
    public void MissingNonDicomAndTruncatedFilesAreRefused()
    {
        Assert.Contains("no such file", Assert.Throws<OutboxFileRejectedException>(() => _outbox.Add(_temp.File("absent.dcm"))).Reason, StringComparison.Ordinal);

        var text = _temp.File("notes.dcm");
        File.WriteAllText(text, "not a DICOM file at all, just words");
        Assert.Contains("Part 10", Assert.Throws<OutboxFileRejectedException>(() => _outbox.Add(text)).Reason, StringComparison.Ordinal);

        var truncated = _temp.File("cut.dcm");
        SyntheticDicomFile.Write(truncated, frames: 4, rows: 32, columns: 32);
        using (var file = new FileStream(truncated, FileMode.Open))
        {
            file.SetLength(file.Length - 100);
        }
        Assert.Contains("truncated", Assert.Throws<OutboxFileRejectedException>(() => _outbox.Add(truncated)).Reason, StringComparison.Ordinal);
        Assert.Empty(_outbox.Items());
    }

    [Fact]
    public void AnUnexpectedSopInstanceIsRefused()
    {
        var path = _temp.File("run.dcm");
        var uid = SyntheticDicomFile.Write(path, frames: 1, rows: 16, columns: 16);
        var error = Assert.Throws<OutboxFileRejectedException>(() => _outbox.Add(path, expectedSopInstanceUid: uid + ".9"));
        Assert.Contains(uid, error.Reason, StringComparison.Ordinal);
        Assert.Empty(_outbox.Items());
    }

    [Fact]
    public void AddingTheSameInstanceTwiceKeepsOneItem()
    {
        var path = _temp.File("run.dcm");
        var uid = SyntheticDicomFile.Write(path, frames: 1, rows: 16, columns: 16);
        var copy = _temp.File("copy.dcm");
        File.Copy(path, copy);

        var first = _outbox.Add(path, uid, "LAO 30 cine");
        var second = _outbox.Add(copy, uid);

        Assert.Equal(first, second);
        var item = Assert.Single(_outbox.Items());
        Assert.Equal(uid, item.SopInstanceUid);
        Assert.Equal("LAO 30 cine", item.Description);
        Assert.Equal(new FileInfo(path).Length, item.Size);
    }

    [Fact]
    public void ConsoleCallsNameWhatIsWrong()
    {
        var path = _temp.File("run.dcm");
        SyntheticDicomFile.Write(path, frames: 1, rows: 16, columns: 16);
        var id = _outbox.Add(path);
        Assert.Throws<ArgumentException>(() => _outbox.Retry(id + 100));
        Assert.Contains("not a configured destination", Assert.Throws<ArgumentException>(() => _outbox.Retry(id, "elsewhere")).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => _outbox.SendElsewhere(id, "elsewhere"));
        Assert.False(_outbox.Abandon(id, "nowhere")); // only a Failed delivery can be given up
        Assert.Equal(DeliveryState.Pending, Assert.Single(_outbox.Items()).State);
    }
}
