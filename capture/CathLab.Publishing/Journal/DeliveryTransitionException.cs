namespace CathLab.Publishing.Journal;

/// <summary>A delivery was asked to take an event that its state does not allow: a fault in the caller, never in the PACS.</summary>
public sealed class DeliveryTransitionException(DeliveryState from, DeliveryEvent on, IReadOnlyList<DeliveryState> allowedFrom)
    : InvalidOperationException($"a delivery that is {from} cannot take {on} (allowed only from {(allowedFrom.Count == 0 ? "no state" : string.Join(", ", allowedFrom))})")
{
    public DeliveryState From { get; } = from;
    public DeliveryEvent Event { get; } = on;
}
