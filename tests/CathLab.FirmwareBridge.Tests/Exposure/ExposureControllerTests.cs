using CathLab.FirmwareBridge.Exposure;
using CathLab.FirmwareBridge.Link;
using CathLab.FirmwareBridge.Tests.Support;
using CathLab.Wire.Generator;
using Microsoft.Extensions.Time.Testing;

namespace CathLab.FirmwareBridge.Tests.Exposure;

/// <summary>The serialised controller over a fake generator: inputs from several threads, the generator's own state
/// checked against the controller's whenever both have settled.</summary>
public sealed class ExposureControllerTests
{
    internal static void Settle(FakeGeneratorLink link, ExposureController controller)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        int quiet = 0;
        while (quiet < 3)
        {
            link.Drain();
            while (controller.Backlog > 0)
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"controller backlog {controller.Backlog}");
                Thread.Sleep(1);
            }
            quiet = controller.Backlog == 0 ? quiet + 1 : 0;
            Thread.Sleep(1);
        }
    }

    /// <summary>Settled, the controller and the generator agree: exposing exactly when the generator emits.</summary>
    private static void AssertAgree(FakeGeneratorLink link, ExposureController controller, string when)
    {
        var s = controller.Snapshot;
        Assert.True(s.State.IsExposing() == link.Emitting, $"{when}: controller {s.State} (emitting {s.Emitting}), generator {link.Generator}");
        Assert.NotEqual(ExposureState.Stopping, s.State);
        Assert.Equal(link.Emitting, s.Emitting);
    }

    [Fact]
    public void Press_and_release_drive_the_generator_through_the_link()
    {
        var link = new FakeGeneratorLink();
        using var controller = new ExposureController(link);
        Assert.True(controller.PedalPressed(ExposureKind.Fluoro).Accepted);
        Settle(link, controller);
        Assert.Equal(ExposureState.ExposingFluoro, controller.State);
        Assert.True(link.Emitting);
        var released = controller.PedalReleased(InputSource.Console, "released");
        Assert.Equal(ExposureState.Stopping, released.To);
        Assert.False(link.Emitting); // ExposeOff went out before PedalReleased returned
        Settle(link, controller);
        Assert.Equal(ExposureState.Ready, controller.State);
    }

    /// <summary>The race the review found by reading: the generator's Ready (on the link's reader thread) and a release
    /// arriving together. Serialised, whichever comes first, no ExposeOn ever follows the ExposeOff.</summary>
    [Fact]
    public async Task A_ready_and_a_release_arriving_together_never_leave_the_generator_exposing()
    {
        for (int round = 0; round < 300; round++)
        {
            var link = new FakeGeneratorLink();
            using var controller = new ExposureController(link);
            using var go = new Barrier(2);
            var press = Task.Run(() => { go.SignalAndWait(); controller.PedalPressed(ExposureKind.Cine); });
            var release = Task.Run(() => { go.SignalAndWait(); Thread.SpinWait(round % 50); controller.PedalReleased(); });
            await Task.WhenAll(press, release);
            Settle(link, controller);
            if (controller.State.IsExposing()) controller.PedalReleased();
            Settle(link, controller);
            Assert.False(link.Emitting, $"round {round}: generator still exposing, controller {controller.State}");
            AssertAgree(link, controller, $"round {round}");
        }
    }

    private static (FakeTimeProvider Time, FakeGeneratorLink Link, ExposureController Controller) WithHoldLimit(TimeSpan limit)
    {
        var time = new FakeTimeProvider();
        var link = new FakeGeneratorLink();
        return (time, link, new ExposureController(link, time: time, options: new ExposureControlOptions { MaxFluoroHold = limit }));
    }

    [Fact]
    public void The_maximum_hold_stops_fluoro_by_itself()
    {
        var (time, link, controller) = WithHoldLimit(TimeSpan.FromSeconds(30));
        using var _ = controller;
        var alerts = new List<BridgeAlert>();
        controller.Alert += a => { lock (alerts) alerts.Add(a); };
        controller.PedalPressed(ExposureKind.Fluoro);
        Settle(link, controller);
        time.Advance(TimeSpan.FromSeconds(29));
        Settle(link, controller);
        Assert.True(link.Emitting);
        time.Advance(TimeSpan.FromSeconds(2));
        Settle(link, controller);
        Assert.False(link.Emitting);
        Assert.Equal(ExposureState.Ready, controller.State);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!alerts.ToArray().Any(a => a.Kind == BridgeAlertKind.ExposureStopped && a.Text.Contains("maximum hold")) && DateTime.UtcNow < deadline) Thread.Sleep(5);
        lock (alerts) Assert.Contains(alerts, a => a.Kind == BridgeAlertKind.ExposureStopped && a.Text.Contains("maximum hold"));
    }

    [Fact]
    public void A_hold_timer_of_an_ended_exposure_does_not_stop_the_next_one()
    {
        var (time, link, controller) = WithHoldLimit(TimeSpan.FromSeconds(30));
        using var _ = controller;
        controller.PedalPressed(ExposureKind.Fluoro);
        Settle(link, controller);
        time.Advance(TimeSpan.FromSeconds(20));
        controller.PedalReleased();
        Settle(link, controller);
        controller.PedalPressed(ExposureKind.Fluoro);
        Settle(link, controller);
        time.Advance(TimeSpan.FromSeconds(20));
        Settle(link, controller);
        Assert.True(link.Emitting, "the first press's timer stopped the second exposure");
        controller.PedalReleased();
    }

    [Fact]
    public void Cine_has_no_hold_limit()
    {
        var (time, link, controller) = WithHoldLimit(TimeSpan.FromSeconds(30));
        using var _ = controller;
        controller.PedalPressed(ExposureKind.Cine);
        Settle(link, controller);
        time.Advance(TimeSpan.FromMinutes(5));
        Settle(link, controller);
        Assert.True(link.Emitting);
    }

    [Fact]
    public async Task An_emergency_stop_stops_emission_and_a_reset_after_a_fault_clears_it()
    {
        var link = new FakeGeneratorLink();
        using var controller = new ExposureController(link);
        controller.PedalPressed(ExposureKind.Fluoro);
        Settle(link, controller);
        controller.EmergencyStop(InputSource.Station, "shutdown");
        Assert.False(link.Emitting);
        Settle(link, controller);
        link.InjectFault(FaultCode.Arc);
        Settle(link, controller);
        Assert.Equal(ExposureState.Fault, controller.State);
        var reset = await controller.ResetFaultAsync();
        Assert.Equal(ExposureState.Idle, reset.To);
        Assert.Equal(GeneratorState.Idle, link.Generator);
    }

    [Fact]
    public async Task A_reset_without_a_fault_or_without_the_link_is_refused_with_its_reason()
    {
        var link = new FakeGeneratorLink();
        using var controller = new ExposureController(link);
        await Assert.ThrowsAsync<InvalidOperationException>(() => controller.ResetFaultAsync());
        link.Drop(back: false);
        Settle(link, controller);
        Assert.Equal(ExposureState.LinkDown, controller.State);
        await Assert.ThrowsAsync<GeneratorLinkDownException>(() => controller.ResetFaultAsync());
    }

    /// <summary>Seeded interleavings of presses, releases, pulses, faults, link losses and resets from several threads.
    /// Whenever everything has settled, the controller and the generator agree; no pulse is ever reported outside an
    /// exposure; the controller's thread survives every input.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Thousands_of_interleavings_keep_controller_and_generator_in_agreement(int seed)
    {
        var link = new FakeGeneratorLink();
        using var controller = new ExposureController(link);
        var kinds = new[] { ExposureKind.Fluoro, ExposureKind.Cine, ExposureKind.HighLevelFluoro };
        var log = new List<ExposureTransition>();
        controller.Transitioned += t => { lock (log) log.Add(t); };
        int checks = 0;
        for (int round = 0; round < 40; round++)
        {
            var workers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
            {
                var random = new Random(seed * 1000 + round * 10 + w);
                for (int i = 0; i < 30; i++)
                {
                    switch (random.Next(10))
                    {
                        case 0 or 1 or 2: controller.PedalPressed(kinds[random.Next(kinds.Length)], InputSource.Console); break;
                        case 3 or 4: controller.PedalReleased(InputSource.Console); break;
                        case 5 or 6: link.Pulse(); break;
                        case 7: if (random.Next(8) == 0) link.InjectFault(FaultCode.Arc); break;
                        case 8: if (random.Next(10) == 0) link.Drop(back: true); break;
                        default:
                            if (controller.State.IsFaulted())
                            {
                                try { controller.ResetFaultAsync().Wait(); }
                                catch (AggregateException e) when (e.InnerException is InvalidOperationException or GeneratorLinkDownException or GeneratorRefusedException) { }
                            }
                            break;
                    }
                    if (random.Next(4) == 0) Thread.Yield();
                }
            })).ToArray();
            await Task.WhenAll(workers);
            Settle(link, controller);
            AssertAgree(link, controller, $"seed {seed} round {round}");
            checks++;
            controller.PedalReleased();
            Settle(link, controller);
            Assert.False(link.Emitting, $"seed {seed} round {round}: released, generator {link.Generator}");
        }
        lock (log)
        {
            int at = log.FindIndex(t => t.Actions.Contains(ExposureAction.CountUnexpectedPulse));
            Assert.True(at < 0, "a pulse outside an exposure:\n" + string.Join("\n", log.Skip(Math.Max(0, at - 25)).Take(27)));
        }
        Assert.Equal(0, controller.UnexpectedPulses);
        Assert.Equal(40, checks);
    }

    /// <summary>Held and exposing, lost events only make the controller read where the generator stands: the exposure
    /// goes on.</summary>
    [Fact]
    public void Lost_events_while_held_and_exposing_read_the_status_and_keep_exposing()
    {
        var link = new FakeGeneratorLink();
        using var controller = new ExposureController(link);
        controller.PedalPressed(ExposureKind.Fluoro);
        Settle(link, controller);
        int reads = link.StatusReads;
        link.AnnounceLostEvents(4);
        Settle(link, controller);
        Assert.True(link.StatusReads > reads, "no status read after lost events");
        Assert.Equal(ExposureState.ExposingFluoro, controller.State);
        AssertAgree(link, controller, "after lost events");
    }

    /// <summary>The generator's ExposureEnded lost after a release: without a resynchronisation the controller waits in
    /// Stopping for an event that never comes. The status read stands in for it.</summary>
    [Fact]
    public void Lost_events_after_a_release_are_resynchronised_from_the_status()
    {
        var link = new FakeGeneratorLink();
        using var controller = new ExposureController(link);
        controller.PedalPressed(ExposureKind.Cine);
        Settle(link, controller);
        link.LosingEvents = true;
        controller.PedalReleased();
        Settle(link, controller);
        Assert.Equal(ExposureState.Stopping, controller.State); // its ExposureEnded was lost
        link.LosingEvents = false;
        link.AnnounceLostEvents(1);
        Settle(link, controller);
        Assert.Equal(ExposureState.Ready, controller.State);
        AssertAgree(link, controller, "resynchronised");
    }

    /// <summary>Emission nobody holds, whose ExposureStarted was lost: the status read finds it and ExposeOff stops it.</summary>
    [Fact]
    public void Lost_events_hiding_emission_nobody_holds_stop_it()
    {
        var link = new FakeGeneratorLink();
        using var controller = new ExposureController(link);
        link.LosingEvents = true;
        link.EmitUnbidden(ExposureKind.Fluoro);
        link.LosingEvents = false;
        Settle(link, controller);
        Assert.True(link.Emitting);
        Assert.Equal(ExposureState.Idle, controller.State);
        link.AnnounceLostEvents(1);
        Settle(link, controller);
        Assert.False(link.Emitting, "the generator still emits after the lost events were resynchronised");
        AssertAgree(link, controller, "after the resynchronisation");
    }

    /// <summary>A press's handle says when the press ended and why, whatever ended it; the holder needs no polling.</summary>
    [Fact]
    public async Task A_press_handle_ends_with_the_reason_whatever_ends_the_press()
    {
        var link = new FakeGeneratorLink();
        using var controller = new ExposureController(link);

        using (var released = controller.Press(ExposureKind.Fluoro, InputSource.Console))
        {
            Assert.True(released.Pressed!.Accepted);
            Settle(link, controller);
            Assert.False(released.Ended.IsCompleted);
            controller.PedalReleased(InputSource.Console, "let go");
            Assert.Contains("Release from Console (held): let go", await released.Ended.WaitAsync(TimeSpan.FromSeconds(30)));
        }
        Settle(link, controller);

        using (var faulted = controller.Press(ExposureKind.Fluoro, InputSource.Browser))
        {
            Settle(link, controller);
            link.InjectFault(FaultCode.Arc);
            Assert.Contains("Fault after", await faulted.Ended.WaitAsync(TimeSpan.FromSeconds(30))); // the generator ends the exposure with its fault
        }
        Settle(link, controller);

        using (var refused = controller.Press(ExposureKind.Fluoro, InputSource.Console))
        {
            Assert.False(refused.Pressed!.Accepted);
            Assert.Contains("press refused", await refused.Ended.WaitAsync(TimeSpan.FromSeconds(30)));
        }
        await controller.ResetFaultAsync();

        using var watched = controller.WatchNextPress(InputSource.HardwarePedal);
        controller.PedalReleased(InputSource.HardwarePedal, "run stopped before its press");
        Assert.Contains("released before the press", await watched.Ended.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_press_ended_by_the_maximum_hold_says_so()
    {
        var (time, link, controller) = WithHoldLimit(TimeSpan.FromSeconds(30));
        using var _ = controller;
        using var press = controller.Press(ExposureKind.Fluoro, InputSource.Console);
        Settle(link, controller);
        time.Advance(TimeSpan.FromSeconds(31));
        Assert.Contains("maximum hold", await press.Ended.WaitAsync(TimeSpan.FromSeconds(30)));
    }
}
