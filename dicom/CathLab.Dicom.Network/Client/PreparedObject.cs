using CathLab.Dicom.Network.Part10;

namespace CathLab.Dicom.Network.Client;

/// <summary>A store request whose meta header has been read: what it needs in the association (its SOP class in each
/// transfer syntax it can be sent in, its own first), and where its data set starts.</summary>
internal sealed record PreparedObject(StoreRequest Request, Part10Meta Meta, IReadOnlyList<string> TransferSyntaxes)
{
    public IEnumerable<(string SopClassUid, string TransferSyntaxUid)> Syntaxes => TransferSyntaxes.Select(ts => (Meta.SopClassUid, ts));
}
