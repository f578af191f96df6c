namespace CathLab.Station.Tests.Workflow;

/// <summary>Waits for a condition of the real peers; the bound only keeps a broken run from hanging, it measures nothing.</summary>
internal static class Poll
{
    public static async Task UntilAsync(Func<bool> condition, Func<string> why, int seconds = 180)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail(why());
            await Task.Delay(50);
        }
    }
}
