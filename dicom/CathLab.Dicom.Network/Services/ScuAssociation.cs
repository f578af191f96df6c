using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Network.Pdus;

namespace CathLab.Dicom.Network.Services;

/// <summary>Opens an SCU association to a peer with the given presentation contexts and our implementation identity.</summary>
public static class ScuAssociation
{
    public static Task<DicomAssociation> OpenAsync(DicomPeer peer, AssociationOptions options,
        IReadOnlyList<PresentationContextProposal> contexts, IReadOnlyList<RoleSelection>? roles = null, CancellationToken cancellation = default)
    {
        var request = new AssociateRequest
        {
            CalledAeTitle = peer.CalledAeTitle,
            CallingAeTitle = peer.CallingAeTitle,
            PresentationContexts = contexts,
            UserInformation = new UserInformation
            {
                MaxPduLength = options.MaxPduLength,
                ImplementationClassUid = Implementation.ClassUid,
                ImplementationVersionName = Implementation.VersionName,
                RoleSelections = roles ?? [],
            },
        };
        return AssociationRequestor.ConnectAsync(peer.Host, peer.Port, request, options, cancellation);
    }

    /// <summary>One context per abstract syntax, numbered 1, 3, 5, ... as PS3.8 requires.</summary>
    public static IReadOnlyList<PresentationContextProposal> Contexts(params (string AbstractSyntax, IReadOnlyList<string> TransferSyntaxes)[] syntaxes)
    {
        if (syntaxes.Length > 128)
        {
            throw new ArgumentException("an association holds at most 128 presentation contexts");
        }
        return [.. syntaxes.Select((s, i) => new PresentationContextProposal((byte)(2 * i + 1), s.AbstractSyntax, s.TransferSyntaxes))];
    }
}
