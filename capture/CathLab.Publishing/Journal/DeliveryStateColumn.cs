namespace CathLab.Publishing.Journal;

/// <summary>How a <see cref="DeliveryState"/> is written in the journal's deliveries.state column. The texts are the
/// journal's file format: a renamed enum member must keep its text.</summary>
internal static class DeliveryStateColumn
{
    public static string Text(DeliveryState state) => state switch
    {
        DeliveryState.Pending => "Pending",
        DeliveryState.Sending => "Sending",
        DeliveryState.Sent => "Sent",
        DeliveryState.Committed => "Committed",
        DeliveryState.Failed => "Failed",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "not a delivery state"),
    };

    public static DeliveryState Parse(string text) => text switch
    {
        "Pending" => DeliveryState.Pending,
        "Sending" => DeliveryState.Sending,
        "Sent" => DeliveryState.Sent,
        "Committed" => DeliveryState.Committed,
        "Failed" => DeliveryState.Failed,
        _ => throw new InvalidDataException($"the outbox journal holds an unknown delivery state '{text}'"),
    };

    /// <summary>The SQL list of every state's text, for the column's CHECK constraint.</summary>
    public static string CheckList => string.Join(",", Enum.GetValues<DeliveryState>().Select(s => $"'{Text(s)}'"));
}
