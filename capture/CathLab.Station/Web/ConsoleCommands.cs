using CathLab.Station.Control;
using CathLab.Station.Invitations;
using Google.Protobuf;
using Grpc.Core;
using Proto = CathLab.Station.Protocol;

namespace CathLab.Station.Web;

/// <summary>The console WebSocket's commands: each is a unary method of the control API, named as in
/// station_control.proto, its request and reply in the protobuf JSON mapping. The command runs through the same
/// <see cref="StationControlService"/> (or <see cref="InvitationControlService"/>) method a gRPC call reaches, with its
/// checks, refusals and audit.</summary>
internal static class ConsoleCommands
{
    public delegate Task<IMessage> Call(ConsoleServices services, string requestJson, ServerCallContext context);

    private static readonly JsonParser Parser = new(JsonParser.Settings.Default);

    public static readonly IReadOnlyDictionary<string, Call> ByName = new Dictionary<string, Call>(StringComparer.Ordinal)
    {
        ["GetStatus"] = Unary<Proto.GetStatusRequest, Proto.StatusReply>((s, r, c) => s.Control.GetStatus(r, c)),
        ["ListProtocols"] = Unary<Proto.ListProtocolsRequest, Proto.ListProtocolsReply>((s, r, c) => s.Control.ListProtocols(r, c)),
        ["QueryWorklist"] = Unary<Proto.QueryWorklistRequest, Proto.QueryWorklistReply>((s, r, c) => s.Control.QueryWorklist(r, c)),
        ["StartExam"] = Unary<Proto.StartExamRequest, Proto.ExamInfo>((s, r, c) => s.Control.StartExam(r, c)),
        ["EndExam"] = Unary<Proto.EndExamRequest, Proto.ExamInfo>((s, r, c) => s.Control.EndExam(r, c)),
        ["SelectProtocol"] = Unary<Proto.SelectProtocolRequest, Proto.SelectProtocolReply>((s, r, c) => s.Control.SelectProtocol(r, c)),
        ["SaveLastFluoro"] = Unary<Proto.SaveLastFluoroRequest, Proto.RunInfo>((s, r, c) => s.Control.SaveLastFluoro(r, c)),
        ["Remask"] = Unary<Proto.RemaskRequest, Proto.RunInfo>((s, r, c) => s.Control.Remask(r, c)),
        ["ResetFault"] = Unary<Proto.ResetFaultRequest, Proto.ResetFaultReply>((s, r, c) => s.Control.ResetFault(r, c)),
        ["ResetFluoroTimer"] = Unary<Proto.ResetFluoroTimerRequest, Proto.ResetFluoroTimerReply>((s, r, c) => s.Control.ResetFluoroTimer(r, c)),
        ["ListOutbox"] = Unary<Proto.ListOutboxRequest, Proto.ListOutboxReply>((s, r, c) => s.Control.ListOutbox(r, c)),
        ["RetryOutboxItem"] = Unary<Proto.RetryOutboxItemRequest, Proto.RetryOutboxItemReply>((s, r, c) => s.Control.RetryOutboxItem(r, c)),
        ["Invite"] = Unary<Proto.InviteRequest, Proto.InviteReply>((s, r, c) => s.Invitations.Invite(r, c)),
        ["ListInvitations"] = Unary<Proto.ListInvitationsRequest, Proto.ListInvitationsReply>((s, r, c) => s.Invitations.ListInvitations(r, c)),
        ["RevokeInvitation"] = Unary<Proto.RevokeInvitationRequest, Proto.InvitationInfo>((s, r, c) => s.Invitations.RevokeInvitation(r, c)),
    };

    private static readonly HashSet<string> InvitationCommands = ["Invite", "ListInvitations", "RevokeInvitation"];

    /// <summary>The gRPC method name a command stands for, which <see cref="Security.Access.MethodPolicy"/> rules on.</summary>
    public static string MethodOf(string command) =>
        $"/{(InvitationCommands.Contains(command) ? Proto.Invitations.Descriptor.FullName : Proto.StationControl.Descriptor.FullName)}/{command}";

    /// <summary>Parses the request (an unknown field or a wrong type is the caller's mistake: INVALID_ARGUMENT, as a
    /// gRPC request that does not decode), then calls the service.</summary>
    private static Call Unary<TRequest, TReply>(Func<ConsoleServices, TRequest, ServerCallContext, Task<TReply>> method)
        where TRequest : IMessage<TRequest>, new()
        where TReply : IMessage => async (service, json, context) => await method(service, Parse<TRequest>(json), context);

    private static T Parse<T>(string json) where T : IMessage<T>, new()
    {
        try
        {
            return Parser.Parse<T>(json);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"request: {e.Message}"));
        }
    }

    public static Proto.PedalHoldRequest? PedalMessage(string command, string requestJson) => command switch
    {
        "Press" => new Proto.PedalHoldRequest { Press = PressFromBrowser(requestJson) },
        "Renew" => new Proto.PedalHoldRequest { Renew = new Proto.PedalRenew() },
        "Release" => new Proto.PedalHoldRequest { Release = new Proto.PedalRelease() },
        _ => null,
    };

    /// <summary>A press from the page is a browser's press whatever the page says.</summary>
    private static Proto.PedalPress PressFromBrowser(string json)
    {
        var press = Parse<Proto.PedalPress>(json);
        press.Origin = Proto.PedalOrigin.Browser;
        return press;
    }
}

/// <summary>The gRPC services a console socket's commands run through.</summary>
internal sealed record ConsoleServices(StationControlService Control, InvitationControlService Invitations);
