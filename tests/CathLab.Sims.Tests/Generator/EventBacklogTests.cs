using CathLab.Sims.Generator;
using CathLab.Wire.Generator;

namespace CathLab.Sims.Tests.Generator;

/// <summary>The generator's half of event delivery on its own (no line): the bounded backlog and its loss notice.</summary>
public sealed class EventBacklogTests
{
    private static readonly long Later = TimeSpan.FromSeconds(1).Ticks;

    private sealed class Line
    {
        public List<(ushort Sequence, GeneratorEvent Event)> Frames { get; } = [];
        public void Send(ushort sequence, ReadOnlySpan<byte> payload, bool resend) => Frames.Add((sequence, GeneratorEvent.Read(payload)));
    }

    [Fact]
    public void A_full_backlog_drops_its_oldest_events_and_a_loss_notice_takes_their_place_in_sequence()
    {
        var line = new Line();
        var sender = new ReliableEventSender(line.Send, TimeSpan.FromMilliseconds(60), capacity: 8);
        for (byte i = 0; i < 20; i++) sender.Publish(new HeatEvent(i, i), 0);
        Assert.Equal(8, sender.Pending);

        line.Frames.Clear();
        sender.RetransmitIfDue(Later);
        // What a go-back-N receiver that has event 0 sees: 1, 2, 3 ... with no gap, the loss announced first.
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], line.Frames.Select(f => (int)f.Sequence));
        Assert.Equal(new EventsLostEvent(13), line.Frames[0].Event);
        Assert.Equal(Enumerable.Range(13, 7).Select(i => new HeatEvent((byte)i, (uint)i)), line.Frames.Skip(1).Select(f => f.Event).Cast<HeatEvent>());

        sender.Acknowledge(8, Later);
        Assert.Equal(0, sender.Pending);
        line.Frames.Clear();
        sender.Publish(new HeatEvent(99, 99), Later);
        Assert.Equal(9, line.Frames.Single().Sequence);
    }

    [Fact]
    public void Further_losses_are_added_to_the_notice_at_the_head()
    {
        var line = new Line();
        var sender = new ReliableEventSender(line.Send, TimeSpan.FromMilliseconds(60), capacity: 4);
        for (byte i = 0; i < 5; i++) sender.Publish(new HeatEvent(i, i), 0);
        sender.Acknowledge(1, 0); // the notice (SEQ 1, two lost) reached the station
        for (byte i = 5; i < 12; i++) sender.Publish(new HeatEvent(i, i), 0);

        line.Frames.Clear();
        sender.RetransmitIfDue(Later);
        Assert.Equal([2, 3, 4, 5], line.Frames.Select(f => (int)f.Sequence));
        Assert.Equal(new EventsLostEvent(7), line.Frames[0].Event);
        Assert.Equal([9, 10, 11], line.Frames.Skip(1).Select(f => (int)((HeatEvent)f.Event).Percent));
    }
}
