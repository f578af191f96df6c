namespace CathLab.Dicom.Network.Dimse;

/// <summary>One service class an SCP offers: which abstract syntaxes it takes, in which transfer syntax, and how it answers.</summary>
public interface IDimseServiceProvider
{
    bool Supports(string abstractSyntax);

    /// <summary>The roles this provider plays for a SOP class as association acceptor: SCP by default. Answers the
    /// requestor's SCP/SCU role selection (PS3.7 §D.3.3.4).</summary>
    (bool Scu, bool Scp) AcceptorRoles(string abstractSyntax) => (false, true);

    /// <summary>Picks the transfer syntax to accept among those offered, or null to reject the context.</summary>
    string? ChooseTransferSyntax(string abstractSyntax, IReadOnlyList<string> offered);

    /// <summary>Where the data set of an incoming request goes; null keeps it in memory.</summary>
    Stream? OpenDataSetSink(byte contextId, string transferSyntax, CommandSet command) => null;

    Task HandleAsync(DimseRequest request, CancellationToken cancellation);
}
