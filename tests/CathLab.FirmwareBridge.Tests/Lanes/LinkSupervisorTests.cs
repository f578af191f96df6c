using CathLab.FirmwareBridge.Link;
using CathLab.FirmwareBridge.Tests.Support;
using CathLab.Wire.Generator;
using Microsoft.Extensions.Time.Testing;

namespace CathLab.FirmwareBridge.Tests.Lanes;

/// <summary>The supervisor in the whole link over a fake serial line, on a fake clock: the back-off between attempts to
/// open a port that is not there, and the restore of the techniques after the line is lost and comes back.</summary>
public sealed class LinkSupervisorTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    /// <summary>A fake clock that reports each pause the supervisor's thread takes.</summary>
    private sealed class SupervisorPauses : FakeTimeProvider
    {
        private readonly SemaphoreSlim _taken = new(0);
        private readonly List<TimeSpan> _pauses = [];

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            if (Thread.CurrentThread.Name == "generator-link supervisor")
            {
                lock (_pauses) _pauses.Add(dueTime);
                _taken.Release();
            }
            return timer;
        }

        public TimeSpan Next()
        {
            Assert.True(_taken.Wait(Guard), "the supervisor took no pause");
            lock (_pauses) return _pauses[^1];
        }
    }

    [Fact]
    public async Task Attempts_to_open_an_absent_port_back_off_doubling_up_to_the_maximum()
    {
        var time = new SupervisorPauses();
        var connector = new FakeSerialConnector { Refusing = true };
        var timings = new LinkTimings { ReconnectInterval = TimeSpan.FromMilliseconds(250), ReconnectBackOffMax = TimeSpan.FromSeconds(2) };
        await using var link = new GeneratorLinkV1(connector, timings, time: time);
        _ = link.ConnectAsync();
        int[] expected = [250, 500, 1000, 2000, 2000];
        for (int i = 0; i < expected.Length; i++)
        {
            var pause = time.Next();
            Assert.Equal(TimeSpan.FromMilliseconds(expected[i]), pause);
            Assert.Equal(i + 1, connector.Attempts);
            time.Advance(pause);
        }
        Assert.Equal(LinkState.Connecting, link.State);
    }

    [Fact]
    public async Task After_the_line_is_lost_the_generator_is_identified_again_and_its_techniques_are_restored_with_new_sequence_numbers()
    {
        var connector = new FakeSerialConnector();
        await using var link = new GeneratorLinkV1(connector, time: new FakeTimeProvider());
        var states = new List<LinkState>();
        var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        link.StateChanged += (state, _) =>
        {
            lock (states)
            {
                states.Add(state);
                if (state == LinkState.Connected && states.Count(s => s == LinkState.Connected) == 2) reconnected.TrySetResult();
            }
        };
        await link.ConnectAsync().WaitAsync(Guard);
        var setting = new TechniqueSetting(ExposureKind.Fluoro, new Technique(72, 12, 6), 15);
        await link.SetTechniqueAsync(setting).WaitAsync(Guard);

        connector.Opened[0].Break();
        await reconnected.Task.WaitAsync(Guard);

        var first = connector.Opened[0].WrittenOf(MessageType.SetTechnique).Single();
        var again = connector.Opened[1].Written;
        Assert.Equal([MessageType.Identify, MessageType.GetCapabilities, MessageType.SetTechnique],
            again.Where(f => f.Type != MessageType.Heartbeat).Select(f => f.Type).Take(3));
        var restored = again.Single(f => f.Type == MessageType.SetTechnique);
        Assert.Equal(first.Payload, restored.Payload);
        Assert.NotEqual(first.Sequence, restored.Sequence);
        Assert.Equal(setting, Assert.Single(link.StoredTechniques));
        lock (states) Assert.Equal([LinkState.Connecting, LinkState.Connected, LinkState.Down, LinkState.Connected], states);
        Assert.Equal(1, link.Reconnects);
        Assert.Equal(1, link.Statistics.LinkDowns);
    }

    [Fact]
    public async Task A_command_sent_while_the_link_is_down_fails_at_once()
    {
        var connector = new FakeSerialConnector();
        await using var link = new GeneratorLinkV1(connector, time: new FakeTimeProvider());
        await link.ConnectAsync().WaitAsync(Guard);
        var down = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        link.StateChanged += (state, _) => { if (state == LinkState.Down) down.TrySetResult(); };
        connector.Refusing = true;
        connector.Opened[0].Break();
        await down.Task.WaitAsync(Guard);
        await Assert.ThrowsAsync<GeneratorLinkDownException>(() => link.ExposeOnAsync(ExposureKind.Fluoro).WaitAsync(Guard));
    }
}
