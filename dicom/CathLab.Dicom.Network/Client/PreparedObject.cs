using CathLab.Dicom.Network.Part10;

namespace CathLab.Dicom.Network.Client;

/// <summary>A store request whose meta header has been read: what it needs in the association, and where its data set starts.</summary>
internal sealed record PreparedObject(StoreRequest Request, Part10Meta Meta)
{
    public (string SopClassUid, string TransferSyntaxUid) Syntax => (Meta.SopClassUid, Meta.TransferSyntaxUid);
}
