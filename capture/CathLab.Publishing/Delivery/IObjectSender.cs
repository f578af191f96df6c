namespace CathLab.Publishing.Delivery;

/// <summary>Sends a destination's due objects and records each one's outcome in the journal.</summary>
internal interface IObjectSender
{
    /// <summary>Returns how many due rows it dealt with (0: nothing was due).</summary>
    Task<int> SendDueAsync(CancellationToken cancellation);
}
