using CathLab.Dicom.Network.Dimse;
using CathLab.Dicom.Network.Pdus;

namespace CathLab.Dicom.Network.Association;

/// <summary>Acceptor policy: decides accept or reject for an A-ASSOCIATE-RQ and answers each presentation context.</summary>
internal sealed class AssociationNegotiator(DicomServerOptions options, IReadOnlyList<IDimseServiceProvider> services)
{
    public AssociateReject? Vet(AssociateRequest request, int activeAssociations)
    {
        if (request.ApplicationContext != AssociateRequest.DicomApplicationContext)
        {
            return new AssociateReject(RejectResult.Permanent, RejectSource.ServiceUser, 2);
        }
        if (options.RequireCalledAeTitle && request.CalledAeTitle != options.AeTitle)
        {
            return new AssociateReject(RejectResult.Permanent, RejectSource.ServiceUser, 7);
        }
        if (options.AllowedCallingAeTitles is { } allowed && !allowed.Contains(request.CallingAeTitle))
        {
            return new AssociateReject(RejectResult.Permanent, RejectSource.ServiceUser, 3);
        }
        if (activeAssociations > options.MaxAssociations)
        {
            return new AssociateReject(RejectResult.Transient, RejectSource.ServiceProviderPresentation, 2);
        }
        return null;
    }

    public AssociateAccept Answer(AssociateRequest request)
    {
        var results = new List<PresentationContextResult>();
        var accepted = new HashSet<string>();
        foreach (var proposal in request.PresentationContexts)
        {
            var service = services.FirstOrDefault(s => s.Supports(proposal.AbstractSyntax));
            if (service is null)
            {
                results.Add(new PresentationContextResult(proposal.Id, PresentationContextOutcome.AbstractSyntaxNotSupported, ""));
                continue;
            }
            var ts = service.ChooseTransferSyntax(proposal.AbstractSyntax, proposal.TransferSyntaxes);
            if (ts is null)
            {
                results.Add(new PresentationContextResult(proposal.Id, PresentationContextOutcome.TransferSyntaxesNotSupported, ""));
                continue;
            }
            accepted.Add(proposal.AbstractSyntax);
            results.Add(new PresentationContextResult(proposal.Id, PresentationContextOutcome.Acceptance, ts));
        }
        return new AssociateAccept
        {
            CalledAeTitle = request.CalledAeTitle,
            CallingAeTitle = request.CallingAeTitle,
            PresentationContexts = results,
            UserInformation = new UserInformation
            {
                MaxPduLength = options.Association.MaxPduLength,
                ImplementationClassUid = Implementation.ClassUid,
                ImplementationVersionName = Implementation.VersionName,
                // one operation at a time; said only when the requestor asked (PS3.7 §D.3.3.3)
                AsyncOperations = request.UserInformation.AsyncOperations is null ? null : new AsyncOperationsWindow(1, 1),
                // we take whatever role the requestor proposes for an accepted SOP class (PS3.7 §D.3.3.4)
                RoleSelections = [.. request.UserInformation.RoleSelections.Where(r => accepted.Contains(r.SopClassUid))],
            },
        };
    }
}
