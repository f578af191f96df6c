using CathLab.Station.Protocol;

namespace CathLab.Console.Commands;

/// <summary><c>cathlab invitations [--exam ID]</c>: who was invited, and whether they accepted.</summary>
public sealed class InvitationsCommand : StationCommand
{
    public override string Name => "invitations";

    public override string Summary => "list invitations: who, to which exam, pending/accepted/expired/revoked, when accepted";

    public override string Usage => """
        usage: cathlab invitations [--exam EXAM_ID]
          --exam EXAM_ID      only this exam's
        """ + StationTarget.OptionsUsage;

    protected override IReadOnlyCollection<string> Valued => ["exam"];

    protected override StationAction Prepare(IReadOnlyList<string> words, OptionReader options)
    {
        var request = new ListInvitationsRequest();
        if (options.String("exam") is { } exam) request.ExamId = exam;
        return async (station, output, cancellation) =>
        {
            var reply = await station.Invitations.ListInvitationsAsync(request, station.Call(cancellation));
            if (reply.Invitations.Count == 0) output.WriteLine("no invitations");
            foreach (var invitation in reply.Invitations) output.WriteLine(StationText.Invitation(invitation));
            return ExitCodes.Success;
        };
    }
}
