using CathLab.Station.Protocol;

namespace CathLab.Console.Commands;

/// <summary><c>cathlab invite EXAM INVITEE [--consultant] [--minutes N]</c>: a single-use link for a colleague to one exam.</summary>
public sealed class InviteCommand : StationCommand
{
    public override string Name => "invite";

    public override string Summary => "invite a colleague (an identity or an e-mail address) to one exam: prints the single-use link";

    public override string Usage => """
        usage: cathlab invite EXAM_ID INVITEE [--consultant] [--minutes N]
          INVITEE             the colleague's identity (sub) at the hospital's provider, or an e-mail address
          --consultant        may also join the case discussion and take the floor (default: observer, watches only)
          --minutes N         the time limit (default 60; at most the station's Invitations:MaxMinutes)
        """ + StationTarget.OptionsUsage;

    protected override int Words => 2;

    protected override IReadOnlyCollection<string> Valued => ["minutes"];

    protected override IReadOnlyCollection<string> Switches => ["consultant"];

    protected override StationAction Prepare(IReadOnlyList<string> words, OptionReader options)
    {
        var request = new InviteRequest
        {
            ExamId = words[0],
            Invitee = words[1],
            Role = options.Has("consultant") ? InvitationRole.Consultant : InvitationRole.Observer,
            Minutes = (uint)options.Whole("minutes", 60, 1, uint.MaxValue),
        };
        return async (station, output, cancellation) =>
        {
            var reply = await station.Invitations.InviteAsync(request, station.Call(cancellation));
            output.WriteLine(StationText.Invitation(reply.Invitation));
            output.WriteLine(reply.Mailed ? $"link (mailed to {reply.Invitation.Invitee}): {reply.Link}"
                : reply.HasMailProblem ? $"link (NOT mailed: {reply.MailProblem}): {reply.Link}" : $"link: {reply.Link}");
            return ExitCodes.Success;
        };
    }
}
