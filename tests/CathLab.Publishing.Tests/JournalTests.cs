using CathLab.Dicom.Network.Services.StorageCommitment;
using CathLab.Publishing.Journal;
using CathLab.Testing;

namespace CathLab.Publishing.Tests;

/// <summary>The journal's state changes on a real SQLite file, reopened as after a restart.</summary>
public sealed class JournalTests : IDisposable
{
    private const string Pacs = "pacs";
    private const string XaClass = SyntheticDicomFile.XaSopClass;
    private readonly TempDirectory _temp = new();
    private string JournalPath => _temp.File("outbox.db");

    private static OutboxObject Object(string uid) => new($"/data/{uid}.dcm", XaClass, uid, "1.2.3", "XA run", 1000);

    private static TimeSpan Immediately(int _) => TimeSpan.Zero;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void TheJournalIsInWalModeAndSurvivesReopening()
    {
        using (var journal = OutboxJournal.Open(JournalPath))
        {
            journal.Add(Object("1.1"), [Pacs, "backup"]);
        }
        using var reopened = OutboxJournal.Open(JournalPath);
        Assert.Equal(2, reopened.Counts().Pending);
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={JournalPath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", command.ExecuteScalar());
    }

    [Fact]
    public void AfterACrashSendingGoesBackToPendingAndCommitmentsAreAskedAgain()
    {
        long sending, sent;
        using (var journal = OutboxJournal.Open(JournalPath))
        {
            sending = journal.Add(Object("1.1"), [Pacs]).Id;
            sent = journal.Add(Object("1.2"), [Pacs]).Id;
            journal.MarkSending(sending, Pacs);
            journal.MarkSending(sent, Pacs);
            journal.MarkSent(sent, Pacs, final: false, warning: null);
            journal.RecordCommitmentRequested(Pacs, "9.9", journal.DueForCommitment(Pacs, 10), TimeSpan.FromHours(1));
            Assert.Empty(journal.DueForCommitment(Pacs, 10));
        } // no orderly shutdown: the rows stay as they were, as after a kill

        using var reopened = OutboxJournal.Open(JournalPath);
        Assert.Equal((1, 1), reopened.RecoverAfterRestart());
        Assert.Equal(sending, Assert.Single(reopened.DueForSending(Pacs, 10)).ObjectId);
        var again = Assert.Single(reopened.DueForCommitment(Pacs, 10));
        Assert.Equal(sent, again.ObjectId);
        Assert.Equal("9.9", again.CommitmentUid);
    }

    [Fact]
    public void AReportCommitsSomeAndSendsTheFailedOnesAgain()
    {
        using var journal = OutboxJournal.Open(JournalPath);
        foreach (var uid in new[] { "1.1", "1.2", "1.3" })
        {
            var id = journal.Add(Object(uid), [Pacs]).Id;
            journal.MarkSending(id, Pacs);
            journal.MarkSent(id, Pacs, final: false, warning: null);
        }
        journal.RecordCommitmentRequested(Pacs, "7.7", journal.DueForCommitment(Pacs, 10), TimeSpan.FromHours(1));

        var outcome = journal.ApplyReport(new CommitmentReport("7.7", [new(XaClass, "1.1"), new(XaClass, "1.2")], [new(XaClass, "1.3", 0x0112)], false), Immediately);

        Assert.Equal(new CommitmentOutcome(Pacs, 2, 1), outcome);
        var items = journal.Items().ToDictionary(i => i.SopInstanceUid);
        Assert.Equal(DeliveryState.Committed, items["1.1"].State);
        Assert.Equal(DeliveryState.Committed, items["1.2"].State);
        Assert.Equal(DeliveryState.Pending, items["1.3"].State);
        Assert.Contains("no such object instance", items["1.3"].LastError, StringComparison.Ordinal);
        Assert.Equal("1.3", Assert.Single(journal.DueForSending(Pacs, 10)).SopInstanceUid);
        Assert.Equal(["/data/1.1.dcm", "/data/1.2.dcm"], journal.CommittedEverywhere().Select(c => c.Path).Order());
    }

    [Fact]
    public void ALateReportForASupersededTransactionStillCommitsButUnknownOnesAreIgnored()
    {
        using var journal = OutboxJournal.Open(JournalPath);
        var id = journal.Add(Object("1.1"), [Pacs]).Id;
        journal.MarkSending(id, Pacs);
        journal.MarkSent(id, Pacs, final: false, warning: null);
        journal.RecordCommitmentRequested(Pacs, "old", journal.DueForCommitment(Pacs, 10), TimeSpan.Zero);
        var superseded = journal.RecordCommitmentRequested(Pacs, "new", journal.DueForCommitment(Pacs, 10), TimeSpan.FromHours(1));
        Assert.Equal(["old"], superseded);

        Assert.Null(journal.ApplyReport(new CommitmentReport("stranger", [new(XaClass, "1.1")], [], false), Immediately));
        Assert.Equal(DeliveryState.Sent, Assert.Single(journal.Items()).State);

        // a failure in the old transaction does not undo the newer request; a success is the PACS's word and counts
        Assert.Equal(0, journal.ApplyReport(new CommitmentReport("old", [], [new(XaClass, "1.1", 0x0110)], false), Immediately)!.FailedForResend);
        Assert.Equal(DeliveryState.Sent, Assert.Single(journal.Items()).State);
        journal.RecordCommitmentRequested(Pacs, "old2", [], TimeSpan.Zero);
        Assert.Equal(1, journal.ApplyReport(new CommitmentReport("old2", [new(XaClass, "1.1")], [], false), Immediately)!.Committed);
        Assert.Equal(DeliveryState.Committed, Assert.Single(journal.Items()).State);
    }

    [Fact]
    public void RetryAndSendElsewhereAndAbandon()
    {
        using var journal = OutboxJournal.Open(JournalPath);
        var id = journal.Add(Object("1.1"), [Pacs]).Id;
        journal.MarkFailed(id, Pacs, "refused: SOP class not supported");
        var failed = Assert.Single(journal.Items());
        Assert.True(failed.Permanent);
        Assert.Equal(1, failed.Attempts);

        Assert.Equal(1, journal.Retry(id, null));
        var retried = Assert.Single(journal.Items());
        Assert.Equal(DeliveryState.Pending, retried.State);
        Assert.False(retried.Permanent);

        journal.MarkFailed(id, Pacs, "again");
        Assert.True(journal.AddDelivery(id, "backup"));
        Assert.False(journal.AddDelivery(id, "backup"));
        Assert.Equal(2, journal.Items().Count);
        Assert.True(journal.Abandon(id, Pacs));
        Assert.False(journal.Abandon(id, "backup")); // pending, not failed
        Assert.Equal("backup", Assert.Single(journal.Items()).Destination);
    }
}

/// <summary>The journal takes its states from <see cref="DeliveryTransitions"/>: a step the state machine refuses changes
/// nothing in the file, and the texts in the state column are the journal's format.</summary>
public sealed class JournalTransitionTests : IDisposable
{
    private const string Pacs = "pacs";
    private readonly TempDirectory _temp = new();
    private string JournalPath => _temp.File("outbox.db");

    private static OutboxObject Object(string uid) => new($"/data/{uid}.dcm", SyntheticDicomFile.XaSopClass, uid, "1.2.3", "XA run", 1000);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void AStepTheStateMachineRefusesThrowsAndLeavesTheRowAsItWas()
    {
        using var journal = OutboxJournal.Open(JournalPath);
        var id = journal.Add(Object("1.1"), [Pacs]).Id;

        var skipped = Assert.Throws<DeliveryTransitionException>(() => journal.MarkSent(id, Pacs, final: false, warning: null));
        Assert.Equal((DeliveryState.Pending, DeliveryEvent.Stored), (skipped.From, skipped.Event));
        var row = Assert.Single(journal.Items());
        Assert.Equal((DeliveryState.Pending, 0), (row.State, row.Attempts));

        journal.MarkSending(id, Pacs);
        journal.MarkSent(id, Pacs, final: true, warning: null);
        Assert.Throws<DeliveryTransitionException>(() => journal.MarkSending(id, Pacs));
        Assert.Throws<DeliveryTransitionException>(() => journal.MarkFailed(id, Pacs, "late"));
        Assert.Equal(0, journal.Retry(id, null)); // an operator's retry does not touch a committed row
        Assert.False(journal.Abandon(id, Pacs));
        Assert.Equal(DeliveryState.Committed, Assert.Single(journal.Items()).State);
    }

    [Fact]
    public void TheStateColumnHoldsTheJournalTextsAndRefusesOthers()
    {
        using (var journal = OutboxJournal.Open(JournalPath))
        {
            var failed = journal.Add(Object("1.1"), [Pacs]).Id;
            journal.MarkFailed(failed, Pacs, "refused");
            var sending = journal.Add(Object("1.2"), [Pacs]).Id;
            journal.MarkSending(sending, Pacs);
        }
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={JournalPath};Pooling=False");
        connection.Open();
        using var read = connection.CreateCommand();
        read.CommandText = "SELECT state FROM deliveries ORDER BY object_id";
        using (var reader = read.ExecuteReader())
        {
            Assert.True(reader.Read());
            Assert.Equal("Failed", reader.GetString(0));
            Assert.True(reader.Read());
            Assert.Equal("Sending", reader.GetString(0));
        }
        using var write = connection.CreateCommand();
        write.CommandText = "UPDATE deliveries SET state = 'Lost'";
        Assert.Throws<Microsoft.Data.Sqlite.SqliteException>(() => write.ExecuteNonQuery());
    }
}
