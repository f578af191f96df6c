using CathLab.Station.Exam;

namespace CathLab.Station.Tests;

public sealed class ExamIdentityTests
{
    [Fact]
    public void Ids_made_in_the_same_second_are_unique_and_not_the_time_alone()
    {
        var second = new DateTime(2026, 12, 6, 19, 13, 11, DateTimeKind.Local);
        var ids = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 20_000, _ => ids.Add(ExamIdentity.New(second)));
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ids, id => Assert.Matches("^EXAM-20261206-191311-[0-9a-f]{16}$", id));
    }
}
