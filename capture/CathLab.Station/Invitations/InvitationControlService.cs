using CathLab.Security.Access;
using CathLab.Security.Invitations;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Proto = CathLab.Station.Protocol;

namespace CathLab.Station.Invitations;

/// <summary>The gRPC face of the <see cref="InvitationDesk"/>: Invite (a technician, or a signed-in physician of that
/// exam: opened to observers in the method policy, checked by the desk), ListInvitations and RevokeInvitation
/// (technicians). The desk audits each step.</summary>
public sealed class InvitationControlService(InvitationDesk desk, InvitationMailer mailer) : Proto.Invitations.InvitationsBase
{
    public const string InviteMethod = "/cathlab.control.v1.Invitations/Invite";
    public const uint DefaultMinutes = 60;

    public override async Task<Proto.InviteReply> Invite(Proto.InviteRequest request, ServerCallContext context)
    {
        var caller = AuthInterceptor.CallerOf(context);
        var role = request.Role switch
        {
            Proto.InvitationRole.Unspecified or Proto.InvitationRole.Observer => InvitationRole.Observer,
            Proto.InvitationRole.Consultant => InvitationRole.Consultant,
            _ => throw new RpcException(new Status(StatusCode.InvalidArgument, $"role {request.Role} is not observer or consultant")),
        };
        IssuedInvitation issued;
        try
        {
            issued = desk.Invite(caller, request.ExamId, request.Invitee, role, TimeSpan.FromMinutes(request.Minutes == 0 ? DefaultMinutes : request.Minutes));
        }
        catch (ArgumentException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message));
        }
        catch (UnauthorizedAccessException e)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, e.Message));
        }
        var (mailed, problem) = await mailer.SendAsync(issued, context.CancellationToken);
        var reply = new Proto.InviteReply { Invitation = InfoOf(issued.Invitation), Link = issued.Link, Mailed = mailed };
        if (problem is not null) reply.MailProblem = problem;
        return reply;
    }

    public override Task<Proto.ListInvitationsReply> ListInvitations(Proto.ListInvitationsRequest request, ServerCallContext context)
    {
        var reply = new Proto.ListInvitationsReply();
        reply.Invitations.AddRange(desk.List(request.HasExamId ? request.ExamId : null).Select(InfoOf));
        return Task.FromResult(reply);
    }

    public override Task<Proto.InvitationInfo> RevokeInvitation(Proto.RevokeInvitationRequest request, ServerCallContext context)
    {
        try
        {
            return Task.FromResult(InfoOf(desk.Revoke(AuthInterceptor.CallerOf(context), request.Id)));
        }
        catch (KeyNotFoundException e)
        {
            throw new RpcException(new Status(StatusCode.NotFound, e.Message));
        }
    }

    private Proto.InvitationInfo InfoOf(Invitation invitation)
    {
        var info = new Proto.InvitationInfo
        {
            Id = invitation.Id,
            ExamId = invitation.ExamId,
            Invitee = invitation.Invitee,
            Role = invitation.Role == InvitationRole.Consultant ? Proto.InvitationRole.Consultant : Proto.InvitationRole.Observer,
            State = (Proto.InvitationState)(int)invitation.StateAt(desk.Now),
            InvitedBy = invitation.InvitedBy,
            CreatedAt = Timestamp.FromDateTimeOffset(invitation.CreatedAt),
            ExpiresAt = Timestamp.FromDateTimeOffset(invitation.ExpiresAt),
        };
        if (invitation.AcceptedAt is { } accepted) info.AcceptedAt = Timestamp.FromDateTimeOffset(accepted);
        if (invitation.AcceptedBy is { } by) info.AcceptedBy = by;
        return info;
    }
}
