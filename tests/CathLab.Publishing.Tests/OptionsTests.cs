using CathLab.Publishing.Tests.Support;
using CathLab.Testing;

namespace CathLab.Publishing.Tests;

public sealed class OptionsTests
{
    [Fact]
    public void ValidOptionsHaveNoProblems()
    {
        Assert.Empty(TestOutbox.Options("/tmp/x/outbox.db", new PacsDestination("pacs", "PACS", "pacs.local", 104)).Problems());
    }

    [Fact]
    public void EachProblemIsNamed()
    {
        var options = TestOutbox.Options("", new PacsDestination("a", "THIS AE TITLE IS TOO LONG", "", 0), new PacsDestination("a", "B\\C", "h", 70000)) with
        {
            CallingAeTitle = "",
            Backoff = new RetryBackoff { Initial = TimeSpan.FromSeconds(10), Cap = TimeSpan.FromSeconds(1), Factor = 0.5 },
            CommitmentTimeout = TimeSpan.Zero,
            BatchSize = 0,
        };
        var problems = options.Problems();
        foreach (var expected in new[] { "JournalPath", "CallingAeTitle", "Destinations:0:AeTitle", "Destinations:0:Host", "Destinations:0:Port",
                     "Destinations:1:AeTitle", "Destinations:1:Port", "'a' is used 2 times", "Backoff:Cap", "Backoff:Factor", "CommitmentTimeout", "BatchSize" })
        {
            Assert.Contains(problems, p => p.Contains(expected, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void OpenRefusesInvalidOptionsAndCreatesNoJournal()
    {
        using var temp = new TempDirectory();
        var journal = temp.File("sub/outbox.db");
        var error = Assert.Throws<OutboxOptionsException>(() => Outbox.Open(TestOutbox.Options(journal)));
        Assert.Contains(error.Problems, p => p.Contains("at least one PACS", StringComparison.Ordinal));
        Assert.False(File.Exists(journal));
    }

    [Fact]
    public void BackoffDoublesUpToItsCap()
    {
        var backoff = new RetryBackoff { Initial = TimeSpan.FromSeconds(1), Cap = TimeSpan.FromSeconds(10), Factor = 2 };
        Assert.Equal([1, 2, 4, 8, 10, 10], new[] { 1, 2, 3, 4, 5, 500 }.Select(n => backoff.After(n).TotalSeconds));
    }
}
