namespace CathLab.FirmwareBridge.Link;

/// <summary>What can happen to the link as a whole.</summary>
public enum LinkInput
{
    /// <summary><see cref="IGeneratorLink.ConnectAsync"/> was called.</summary>
    Start,
    /// <summary>Identify and GetCapabilities were answered (and the techniques restored).</summary>
    Identified,
    /// <summary>An attempt to open the port or identify the generator failed.</summary>
    IdentifyFailed,
    /// <summary>The port went away (a read or write failed).</summary>
    LineLost,
    /// <summary>A command or a heartbeat went unanswered through every retry.</summary>
    GeneratorSilent,
    /// <summary>The link was disposed.</summary>
    Dispose,
}

/// <summary>One row of the link's transition table.</summary>
public sealed record LinkTransition(LinkState From, LinkInput Input, LinkState To);

/// <summary>The explicit state machine of the generator link: every (state, input) pair is declared in
/// <see cref="Table"/>; nothing else changes <see cref="State"/>. A loss while first connecting keeps the link Connecting
/// (the supervisor keeps trying); a loss once connected takes it Down until the generator is identified again.</summary>
public sealed class LinkStateMachine
{
    public static IReadOnlyList<LinkTransition> Table { get; } =
    [
        new(LinkState.Closed, LinkInput.Start, LinkState.Connecting),
        new(LinkState.Closed, LinkInput.Identified, LinkState.Closed),
        new(LinkState.Closed, LinkInput.IdentifyFailed, LinkState.Closed),
        new(LinkState.Closed, LinkInput.LineLost, LinkState.Closed),
        new(LinkState.Closed, LinkInput.GeneratorSilent, LinkState.Closed),
        new(LinkState.Closed, LinkInput.Dispose, LinkState.Closed),
        new(LinkState.Connecting, LinkInput.Start, LinkState.Connecting),
        new(LinkState.Connecting, LinkInput.Identified, LinkState.Connected),
        new(LinkState.Connecting, LinkInput.IdentifyFailed, LinkState.Connecting),
        new(LinkState.Connecting, LinkInput.LineLost, LinkState.Connecting),
        new(LinkState.Connecting, LinkInput.GeneratorSilent, LinkState.Connecting),
        new(LinkState.Connecting, LinkInput.Dispose, LinkState.Closed),
        new(LinkState.Connected, LinkInput.Start, LinkState.Connected),
        new(LinkState.Connected, LinkInput.Identified, LinkState.Connected),
        new(LinkState.Connected, LinkInput.IdentifyFailed, LinkState.Connected),
        new(LinkState.Connected, LinkInput.LineLost, LinkState.Down),
        new(LinkState.Connected, LinkInput.GeneratorSilent, LinkState.Down),
        new(LinkState.Connected, LinkInput.Dispose, LinkState.Closed),
        new(LinkState.Down, LinkInput.Start, LinkState.Down),
        new(LinkState.Down, LinkInput.Identified, LinkState.Connected),
        new(LinkState.Down, LinkInput.IdentifyFailed, LinkState.Down),
        new(LinkState.Down, LinkInput.LineLost, LinkState.Down),
        new(LinkState.Down, LinkInput.GeneratorSilent, LinkState.Down),
        new(LinkState.Down, LinkInput.Dispose, LinkState.Closed),
    ];

    private static readonly LinkState[,] s_next = Compile();
    private readonly Lock _gate = new();
    private LinkState _state = LinkState.Closed;

    public LinkState State => _state;

    /// <summary>Raised after every change of state, with the reason, on the thread that fired the input.</summary>
    public event Action<LinkState, LinkState, string>? Changed;

    public static LinkState Next(LinkState from, LinkInput input) => s_next[(int)from, (int)input];

    /// <summary>Applies <paramref name="input"/>; true when the state changed.</summary>
    public bool Fire(LinkInput input, string why)
    {
        LinkState from, to;
        lock (_gate)
        {
            from = _state;
            to = Next(from, input);
            if (to == from) return false;
            _state = to;
        }
        Changed?.Invoke(from, to, why);
        return true;
    }

    /// <summary>The table as a markdown table (docs/firmware-bridge.md prints it; a test keeps the two equal).</summary>
    public static string Describe()
    {
        var text = new System.Text.StringBuilder("| state | input | next state |\n| --- | --- | --- |\n");
        foreach (var t in Table) text.Append($"| {t.From} | {t.Input} | {(t.To == t.From ? "(stays)" : t.To.ToString())} |\n");
        return text.ToString();
    }

    private static LinkState[,] Compile()
    {
        var states = Enum.GetValues<LinkState>();
        var inputs = Enum.GetValues<LinkInput>();
        var next = new LinkState[states.Length, inputs.Length];
        var declared = new bool[states.Length, inputs.Length];
        foreach (var t in Table)
        {
            if (declared[(int)t.From, (int)t.Input]) throw new InvalidOperationException($"({t.From}, {t.Input}) is declared twice");
            declared[(int)t.From, (int)t.Input] = true;
            next[(int)t.From, (int)t.Input] = t.To;
        }
        foreach (var s in states)
        foreach (var i in inputs)
        {
            if (!declared[(int)s, (int)i]) throw new InvalidOperationException($"({s}, {i}) is not declared");
        }
        return next;
    }
}
