namespace CathLab.Dicom.Network.Dimse;

/// <summary>One service class an SCP offers: which abstract syntaxes it takes, in which transfer syntax, and how it answers.</summary>
public interface IDimseServiceProvider
{
    bool Supports(string abstractSyntax);

    /// <summary>Picks the transfer syntax to accept among those offered, or null to reject the context.</summary>
    string? ChooseTransferSyntax(string abstractSyntax, IReadOnlyList<string> offered);

    /// <summary>Where the data set of an incoming request goes; null keeps it in memory.</summary>
    Stream? OpenDataSetSink(byte contextId, string transferSyntax, CommandSet command) => null;

    Task HandleAsync(DimseRequest request, CancellationToken cancellation);
}
