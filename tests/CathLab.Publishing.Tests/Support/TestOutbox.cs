using CathLab.Dicom.Network.Association;
using CathLab.Testing;

namespace CathLab.Publishing.Tests.Support;

/// <summary>Options with short back-off so retries happen within a test; everything else as in production.</summary>
public static class TestOutbox
{
    public const string Station = "CATHLAB";

    public static OutboxOptions Options(string journalPath, params PacsDestination[] destinations) => new()
    {
        JournalPath = journalPath,
        CallingAeTitle = Station,
        Destinations = destinations,
        Backoff = new RetryBackoff { Initial = TimeSpan.FromMilliseconds(100), Cap = TimeSpan.FromMilliseconds(400) },
        IdlePoll = TimeSpan.FromMilliseconds(200),
        SameAssociationReportWait = TimeSpan.FromMilliseconds(300),
        Association = new AssociationOptions { ConnectTimeout = TimeSpan.FromSeconds(5), ArtimTimeout = TimeSpan.FromSeconds(20), DimseTimeout = TimeSpan.FromSeconds(30) },
    };

    /// <summary>A destination nobody listens on (a port that was free a moment ago).</summary>
    public static PacsDestination Nowhere(string name = "nowhere") => new(name, "NOBODY", "127.0.0.1", FreePort.Next());

    public static string Describe(Outbox outbox) =>
        string.Join("\n", outbox.Items().Select(i => $"{i.Id} {i.Destination} {i.State} attempts={i.Attempts} error={i.LastError}"));
}
