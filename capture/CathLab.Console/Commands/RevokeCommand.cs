using CathLab.Station.Protocol;

namespace CathLab.Console.Commands;

/// <summary><c>cathlab revoke ID</c>: ends an invitation at once, and the invitee's open streams with it.</summary>
public sealed class RevokeCommand : StationCommand
{
    public override string Name => "revoke";

    public override string Summary => "revoke an invitation at once: the invitee's open streams end";

    public override string Usage => """
        usage: cathlab revoke INVITATION_ID
        """ + StationTarget.OptionsUsage;

    protected override int Words => 1;

    protected override StationAction Prepare(IReadOnlyList<string> words, OptionReader options)
    {
        var request = new RevokeInvitationRequest { Id = words[0] };
        return async (station, output, cancellation) =>
        {
            var info = await station.Invitations.RevokeInvitationAsync(request, station.Call(cancellation));
            output.WriteLine(StationText.Invitation(info));
            return ExitCodes.Success;
        };
    }
}
