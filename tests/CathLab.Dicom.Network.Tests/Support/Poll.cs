namespace CathLab.Dicom.Network.Tests.Support;

/// <summary>Waits for a condition of a server under test; the bound only keeps a broken run from hanging, it measures nothing.</summary>
internal static class Poll
{
    public static async Task UntilAsync(Func<bool> condition, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition never came true");
            await Task.Delay(20);
        }
    }
}
