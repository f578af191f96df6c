using System.Globalization;
using CathLab.Station.Protocol;

namespace CathLab.Console.Commands;

/// <summary><c>cathlab worklist</c>: the day's scheduled steps for this station from the Modality Worklist; start an exam
/// from one with <c>cathlab exam start --worklist ID</c>.</summary>
public sealed class WorklistCommand : StationCommand
{
    public override string Name => "worklist";

    public override string Summary => "the scheduled procedures for this station (start one with exam start --worklist ID)";

    public override string Usage => """
        usage: cathlab worklist [--date YYYY-MM-DD] [--patient-name NAME] [--patient-id ID]
          --date YYYY-MM-DD    the day (default: today)
          --patient-name NAME  DICOM person name; * and ? are wildcards, e.g. DOE*
          --patient-id ID      one patient
        """ + StationTarget.OptionsUsage;

    protected override IReadOnlyCollection<string> Valued => ["date", "patient-name", "patient-id"];

    protected override StationAction Prepare(IReadOnlyList<string> words, OptionReader options)
    {
        var request = new QueryWorklistRequest { PatientName = options.String("patient-name") ?? "", PatientId = options.String("patient-id") ?? "" };
        if (options.String("date") is { } date)
        {
            if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                throw new UsageException($"--date '{date}' is not YYYY-MM-DD");
            request.Date = day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        }
        return async (station, output, cancellation) =>
        {
            var reply = await station.Control.QueryWorklistAsync(request, station.Call(cancellation));
            if (reply.Entries.Count == 0) output.WriteLine("no scheduled procedure matches");
            foreach (var e in reply.Entries)
            {
                string at = e.ScheduledStart is { } start ? start.ToDateTime().ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "unscheduled time";
                output.WriteLine($"{e.Id,-12} {at}  {e.PatientName} (ID {e.PatientId})  accession {e.AccessionNumber}  {e.RequestedProcedure}");
            }
            return ExitCodes.Success;
        };
    }
}
