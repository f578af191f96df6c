using CathLab.Dicom.Network.Dimse;
using CathLab.Dicom.Network.Pdus;
using CathLab.Dicom.Uids;

namespace CathLab.Dicom.Network.Association;

/// <summary>Acceptor policy: decides accept or reject for an A-ASSOCIATE-RQ and answers each presentation context.</summary>
internal sealed class AssociationNegotiator(DicomServerOptions options, IReadOnlyList<IDimseServiceProvider> services)
{
    /// <summary>Odd IDs 1..255 (PS3.8 §9.3.2.2), each used once: no request can hold more.</summary>
    public const int MaxPresentationContexts = 128;

    /// <summary>Everything PS3.8 or our policy refuses in a well-formed request; the association limit is the server's to check.</summary>
    public AssociateReject? Vet(AssociateRequest request)
    {
        if ((request.ProtocolVersion & 1) == 0)
        {
            return new AssociateReject(RejectResult.Permanent, RejectSource.ServiceProviderAcse, 2); // protocol-version-not-supported
        }
        if (request.ApplicationContext != AssociateRequest.DicomApplicationContext)
        {
            return new AssociateReject(RejectResult.Permanent, RejectSource.ServiceUser, 2);
        }
        // 16 spaces, "no Application Name specified", shall not be used (PS3.8 §9.3.2)
        if (request.CalledAeTitle.Length == 0 || (options.RequireCalledAeTitle && request.CalledAeTitle != options.AeTitle))
        {
            return new AssociateReject(RejectResult.Permanent, RejectSource.ServiceUser, 7);
        }
        if (request.CallingAeTitle.Length == 0 || (options.AllowedCallingAeTitles is { } allowed && !allowed.Contains(request.CallingAeTitle)))
        {
            return new AssociateReject(RejectResult.Permanent, RejectSource.ServiceUser, 3);
        }
        if (!HasValidContextIds(request.PresentationContexts))
        {
            return new AssociateReject(RejectResult.Permanent, RejectSource.ServiceProviderAcse, 1);
        }
        var peerMax = request.UserInformation.MaxPduLength;
        if (peerMax != 0 && peerMax < options.Association.MinPeerMaxPduLength)
        {
            return new AssociateReject(RejectResult.Permanent, RejectSource.ServiceUser, 1);
        }
        return null;
    }

    private static bool HasValidContextIds(IReadOnlyList<PresentationContextProposal> contexts)
    {
        if (contexts.Count > MaxPresentationContexts)
        {
            return false;
        }
        Span<bool> seen = stackalloc bool[256];
        foreach (var context in contexts)
        {
            if (context.Id % 2 == 0 || seen[context.Id])
            {
                return false;
            }
            seen[context.Id] = true;
        }
        return true;
    }

    public AssociateAccept Answer(AssociateRequest request)
    {
        var roles = request.UserInformation.RoleSelections
            .GroupBy(r => r.SopClassUid).Select(g => g.First())
            .Where(r => ServiceFor(r.SopClassUid) is not null)
            .Select(r => AnswerRole(r, ServiceFor(r.SopClassUid)!))
            .ToDictionary(r => r.SopClassUid);
        var results = new List<PresentationContextResult>();
        var answeredRoles = new List<RoleSelection>();
        foreach (var proposal in request.PresentationContexts)
        {
            var service = DicomUidGenerator.IsValid(proposal.AbstractSyntax) ? ServiceFor(proposal.AbstractSyntax) : null;
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
            if (roles.TryGetValue(proposal.AbstractSyntax, out var role))
            {
                if (!answeredRoles.Contains(role))
                {
                    answeredRoles.Add(role);
                }
                if (!role.ScuRole && !role.ScpRole)
                {
                    // every role the requestor proposed is refused: a context it could not use is rejected outright
                    results.Add(new PresentationContextResult(proposal.Id, PresentationContextOutcome.UserRejection, ""));
                    continue;
                }
            }
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
                RoleSelections = answeredRoles,
            },
        };
    }

    private IDimseServiceProvider? ServiceFor(string abstractSyntax) => services.FirstOrDefault(s => s.Supports(abstractSyntax));

    // PS3.7 §D.3.3.4: each proposed role is accepted (1) or turned down (0), never 1 where the requestor proposed 0. The
    // requestor as SCU needs us as SCP of the class, and the requestor as SCP needs us as its SCU.
    private static RoleSelection AnswerRole(RoleSelection proposed, IDimseServiceProvider service)
    {
        var (acceptorScu, acceptorScp) = service.AcceptorRoles(proposed.SopClassUid);
        return new RoleSelection(proposed.SopClassUid, proposed.ScuRole && acceptorScp, proposed.ScpRole && acceptorScu);
    }
}
