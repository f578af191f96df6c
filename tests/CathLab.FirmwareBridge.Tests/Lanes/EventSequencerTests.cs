using CathLab.FirmwareBridge.Link;

namespace CathLab.FirmwareBridge.Tests.Lanes;

public sealed class EventSequencerTests
{
    [Fact]
    public void Events_are_delivered_once_in_order_and_gaps_are_answered_with_the_last_in_order()
    {
        var events = new EventSequencer();
        Assert.Equal(EventVerdict.Deliver, events.Judge(1));
        Assert.Equal(EventVerdict.Drop, events.Judge(3)); // 2 was lost
        Assert.Equal(1, events.LastInOrder);
        Assert.Equal(EventVerdict.Drop, events.Judge(1)); // a repeat
        Assert.Equal(EventVerdict.Deliver, events.Judge(2));
        Assert.Equal(EventVerdict.Deliver, events.Judge(3));
        Assert.Equal(3, events.LastInOrder);
    }

    [Fact]
    public void While_identify_is_outstanding_nothing_is_taken_and_an_answer_restarts_the_numbering()
    {
        var events = new EventSequencer();
        events.Judge(1);
        events.Judge(2);
        events.IdentifySent();
        Assert.Equal(EventVerdict.Ignore, events.Judge(3));
        Assert.Equal(EventVerdict.Ignore, events.Judge(1));
        events.IdentifySettled(answered: true);
        Assert.Equal(EventVerdict.Deliver, events.Judge(1));
    }

    [Fact]
    public void An_identify_that_was_not_answered_keeps_the_old_numbering()
    {
        var events = new EventSequencer();
        events.Judge(1);
        events.IdentifySent();
        events.IdentifySettled(answered: false);
        Assert.Equal(EventVerdict.Deliver, events.Judge(2));
    }

    [Fact]
    public void Numbering_wraps_after_65535()
    {
        var events = new EventSequencer();
        for (int i = 1; i <= ushort.MaxValue; i++) Assert.Equal(EventVerdict.Deliver, events.Judge((ushort)i));
        Assert.Equal(EventVerdict.Deliver, events.Judge(0));
        Assert.Equal(EventVerdict.Deliver, events.Judge(1));
    }
}
