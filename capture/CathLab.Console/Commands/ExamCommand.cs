using CathLab.Station.Protocol;

namespace CathLab.Console.Commands;

/// <summary><c>cathlab exam start|end</c>: opens an exam for a patient, or closes the open one.</summary>
public sealed class ExamCommand : StationCommand
{
    public override string Name => "exam";

    public override string Summary => "open an exam (exam start) or close it (exam end)";

    public override string Usage => """
        usage: cathlab exam start --patient-name NAME --patient-id ID [--accession NUMBER] [--description TEXT]
               cathlab exam start --worklist ID
               cathlab exam start --emergency
               cathlab exam end [--discontinued --reason TEXT]
          --patient-name NAME  DICOM person name, e.g. DOE^JANE
          --patient-id ID      the hospital's patient ID
          --accession NUMBER   the order's accession number
          --description TEXT   study description
          --worklist ID        a scheduled procedure from `cathlab worklist`: patient, accession and study come from it
          --emergency          no patient yet: the station generates a clearly marked one
          --discontinued       the exam stopped before it was complete
          --reason TEXT        why it was discontinued
        """ + StationTarget.OptionsUsage;

    protected override int Words => 1;

    protected override IReadOnlyCollection<string> Valued => ["patient-name", "patient-id", "accession", "description", "reason", "worklist"];

    protected override IReadOnlyCollection<string> Switches => ["emergency", "discontinued"];

    protected override StationAction Prepare(IReadOnlyList<string> words, OptionReader options) => words[0] switch
    {
        "start" => PrepareStart(options),
        "end" => PrepareEnd(options),
        _ => throw new UsageException($"unknown exam action '{words[0]}' (start or end)"),
    };

    private static StationAction PrepareStart(OptionReader options)
    {
        Refuse(options, "discontinued", "reason");
        var request = new StartExamRequest { AccessionNumber = options.String("accession") ?? "", StudyDescription = options.String("description") ?? "" };
        if (options.String("worklist") is { } item)
        {
            if (options.Has("patient-name") || options.Has("patient-id") || options.Has("emergency"))
                throw new UsageException("--worklist takes the patient from the worklist: no --patient-name, --patient-id or --emergency");
            request.WorklistItemId = item;
        }
        else if (options.Has("emergency"))
        {
            if (options.Has("patient-name") || options.Has("patient-id")) throw new UsageException("--emergency takes no --patient-name or --patient-id");
        }
        else
        {
            request.PatientName = NonBlank(options, "patient-name");
            request.PatientId = NonBlank(options, "patient-id");
        }
        return async (station, output, cancellation) =>
        {
            var exam = await station.Control.StartExamAsync(request, station.Call(cancellation));
            output.WriteLine(StationText.Exam(exam));
            return ExitCodes.Success;
        };
    }

    private static StationAction PrepareEnd(OptionReader options)
    {
        Refuse(options, "patient-name", "patient-id", "accession", "description", "emergency", "worklist");
        bool discontinued = options.Has("discontinued");
        if (options.Has("reason") && !discontinued) throw new UsageException("--reason goes with --discontinued");
        var request = new EndExamRequest { Discontinued = discontinued, Reason = options.String("reason") ?? "" };
        return async (station, output, cancellation) =>
        {
            var exam = await station.Control.EndExamAsync(request, station.Call(cancellation));
            output.WriteLine(StationText.Exam(exam) + (discontinued ? " (discontinued)" : ""));
            return ExitCodes.Success;
        };
    }

    private static string NonBlank(OptionReader options, string name) =>
        options.Required(name) is { } v && !string.IsNullOrWhiteSpace(v) ? v : throw new UsageException($"--{name} must not be blank");

    private static void Refuse(OptionReader options, params string[] names)
    {
        foreach (var name in names)
        {
            if (options.Has(name)) throw new UsageException($"--{name} does not go with this action");
        }
    }
}
