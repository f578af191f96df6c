using CathLab.Station.Control;
using CathLab.Station.Tests.Hil;

namespace CathLab.Station.Tests.Workflow;

/// <summary>The exam the workflow tests perform: two fluoro runs, three cardiac cine runs and one DSA run.</summary>
internal static class ScriptedExam
{
    private static readonly TimeSpan Run = TimeSpan.FromSeconds(1.5);
    private static readonly TimeSpan Dsa = TimeSpan.FromSeconds(3); // a mask and a few contrast frames at 3 frames/s

    public const int RecordedRuns = 4;

    public static async Task<IReadOnlyList<RunView>> PerformAsync(StationUnderTest station)
    {
        RunView[] runs =
        [
            await station.ExposeAsync("cardiac-fluoro-15", Run),
            await station.ExposeAsync("cardiac-cine-15", Run),
            await station.ExposeAsync("cardiac-cine-30", Run),
            await station.ExposeAsync("cardiac-fluoro-7.5", Run),
            await station.ExposeAsync("cardiac-cine-15", Run),
            await station.ExposeAsync("peripheral-dsa-3", Dsa),
        ];
        Assert.All(runs, r => Assert.True(r.State == RunState.Complete, $"run {r.Number} ({r.Protocol}): {r.Failure}"));
        Assert.Equal(RecordedRuns, runs.Count(r => r.ObjectPath is not null));
        return runs;
    }
}
