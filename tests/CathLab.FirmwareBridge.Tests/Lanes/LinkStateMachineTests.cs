using CathLab.FirmwareBridge.Link;

namespace CathLab.FirmwareBridge.Tests.Lanes;

/// <summary>Every (state, input) pair of the link's state machine, against a table written out here independently.</summary>
public sealed class LinkStateMachineTests
{
    private static readonly Dictionary<(LinkState, LinkInput), LinkState> Expected = new()
    {
        [(LinkState.Closed, LinkInput.Start)] = LinkState.Connecting,
        [(LinkState.Closed, LinkInput.Identified)] = LinkState.Closed,
        [(LinkState.Closed, LinkInput.IdentifyFailed)] = LinkState.Closed,
        [(LinkState.Closed, LinkInput.LineLost)] = LinkState.Closed,
        [(LinkState.Closed, LinkInput.GeneratorSilent)] = LinkState.Closed,
        [(LinkState.Closed, LinkInput.Dispose)] = LinkState.Closed,
        [(LinkState.Connecting, LinkInput.Start)] = LinkState.Connecting,
        [(LinkState.Connecting, LinkInput.Identified)] = LinkState.Connected,
        [(LinkState.Connecting, LinkInput.IdentifyFailed)] = LinkState.Connecting,
        [(LinkState.Connecting, LinkInput.LineLost)] = LinkState.Connecting, // the first connection: keep trying
        [(LinkState.Connecting, LinkInput.GeneratorSilent)] = LinkState.Connecting,
        [(LinkState.Connecting, LinkInput.Dispose)] = LinkState.Closed,
        [(LinkState.Connected, LinkInput.Start)] = LinkState.Connected,
        [(LinkState.Connected, LinkInput.Identified)] = LinkState.Connected,
        [(LinkState.Connected, LinkInput.IdentifyFailed)] = LinkState.Connected,
        [(LinkState.Connected, LinkInput.LineLost)] = LinkState.Down,
        [(LinkState.Connected, LinkInput.GeneratorSilent)] = LinkState.Down,
        [(LinkState.Connected, LinkInput.Dispose)] = LinkState.Closed,
        [(LinkState.Down, LinkInput.Start)] = LinkState.Down,
        [(LinkState.Down, LinkInput.Identified)] = LinkState.Connected,
        [(LinkState.Down, LinkInput.IdentifyFailed)] = LinkState.Down,
        [(LinkState.Down, LinkInput.LineLost)] = LinkState.Down,
        [(LinkState.Down, LinkInput.GeneratorSilent)] = LinkState.Down,
        [(LinkState.Down, LinkInput.Dispose)] = LinkState.Closed,
    };

    public static TheoryData<LinkState, LinkInput> EveryPair()
    {
        var pairs = new TheoryData<LinkState, LinkInput>();
        foreach (var s in Enum.GetValues<LinkState>())
        foreach (var i in Enum.GetValues<LinkInput>())
            pairs.Add(s, i);
        return pairs;
    }

    [Theory]
    [MemberData(nameof(EveryPair))]
    public void Each_state_and_input_leads_where_the_table_says(LinkState from, LinkInput input)
    {
        Assert.Equal(Expected[(from, input)], LinkStateMachine.Next(from, input));
        Assert.Single(LinkStateMachine.Table, t => t.From == from && t.Input == input);
    }

    [Theory]
    [MemberData(nameof(EveryPair))]
    public void A_fired_input_changes_the_state_and_tells_only_when_it_moves(LinkState from, LinkInput input)
    {
        var machine = Reach(from);
        var changes = new List<(LinkState From, LinkState To)>();
        machine.Changed += (f, t, _) => changes.Add((f, t));
        bool moved = machine.Fire(input, "test");
        Assert.Equal(Expected[(from, input)], machine.State);
        Assert.Equal(Expected[(from, input)] != from, moved);
        Assert.Equal(moved ? [(from, machine.State)] : [], changes);
    }

    /// <summary>A machine driven through its own inputs to <paramref name="state"/>.</summary>
    private static LinkStateMachine Reach(LinkState state)
    {
        var machine = new LinkStateMachine();
        LinkInput[] path = state switch
        {
            LinkState.Closed => [],
            LinkState.Connecting => [LinkInput.Start],
            LinkState.Connected => [LinkInput.Start, LinkInput.Identified],
            _ => [LinkInput.Start, LinkInput.Identified, LinkInput.LineLost],
        };
        foreach (var input in path) machine.Fire(input, "setup");
        Assert.Equal(state, machine.State);
        return machine;
    }

    [Fact]
    public void The_documentation_prints_the_table_of_the_code()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "CathLab.sln"))) root = Path.GetDirectoryName(root)!;
        string doc = File.ReadAllText(Path.Combine(root, "docs", "firmware-bridge.md")).ReplaceLineEndings("\n");
        Assert.Contains(LinkStateMachine.Describe(), doc);
    }
}
