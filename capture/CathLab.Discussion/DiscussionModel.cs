namespace CathLab.Discussion;

/// <summary>A participant as the discussion keeps it: the same token holder under the same name is the same participant
/// when it comes back (same id, same colour, the floor if it held it).</summary>
public sealed record Participant(string Id, string Subject, string Name, string Role, string Colour);

/// <summary>Who drives, and who asked for the floor in order.</summary>
public sealed record FloorState(string? Driver, IReadOnlyList<string> Requests)
{
    public static readonly FloorState Empty = new(null, []);
}

/// <summary>The display settings the driver sets for everyone; window and level null mean "the object's own".</summary>
public sealed record ViewSettings(double? Window, double? Level, double Zoom)
{
    public static readonly ViewSettings Default = new(null, null, 1);
}

/// <summary>One mark on one frame, in the image's pixel coordinates (column, row).</summary>
public sealed record Annotation(string Id, string Author, string Kind, string RunId, int Frame, IReadOnlyList<double[]> Points, string? Text);

/// <summary>One chat line; <see cref="At"/> in the station's clock, milliseconds since the Unix epoch.</summary>
public sealed record ChatLine(string From, string Name, long At, string Text);
