namespace CathLab.Publishing.Tests.Support;

/// <summary>Polls a condition that real peers make true in their own time. The bound only stops a broken test from
/// hanging; no test asserts how fast anything happens.</summary>
public static class Eventually
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    public static async Task True(Func<bool> condition, Func<string> whyNot)
    {
        var until = DateTime.UtcNow + Bound;
        while (!condition())
        {
            if (DateTime.UtcNow > until)
            {
                Assert.Fail("condition never held: " + whyNot());
            }
            await Task.Delay(50);
        }
    }
}
