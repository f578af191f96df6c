using CathLab.Acquisition.Protocols;
using CathLab.Acquisition.Recording;
using CathLab.LiveFeed.Review;
using CathLab.Station.Exam;

namespace CathLab.Station.Live;

/// <summary>The open exam's recorded runs as the live feed's review lists them: every object the exam stored (runs as
/// recorded, saved fluoro, remasked DSA runs), and the run being recorded now. Run ids are the live feed's
/// (<see cref="ActiveRun.Id"/>); a remasked object adds "/remask-N". A closed exam has nothing to review here (its
/// objects go to the PACS).</summary>
public sealed class ExamRecordedRuns(ExamSession exams, RunController runs, RunRecorder recorder) : IRecordedRunCatalog
{
    public IReadOnlyList<RecordedRunEntry> RunsOf(string examId)
    {
        if (exams.Current is not { } exam || exam.ExamId != examId) return [];
        var views = exam.Runs;
        var list = new List<RecordedRunEntry>();
        var remasks = new Dictionary<int, int>();
        foreach (var o in exam.Objects)
        {
            var view = views.FirstOrDefault(r => r.Number == o.RunNumber);
            string kind = (view?.Kind ?? "").ToLowerInvariant();
            string id = $"{examId}/run-{o.RunNumber}";
            if (o.Recorded is null) id += $"/remask-{(remasks[o.RunNumber] = remasks.GetValueOrDefault(o.RunNumber) + 1)}";
            var image = o.Recorded?.Image;
            list.Add(new RecordedRunEntry(id, o.RunNumber, view?.Protocol ?? o.SeriesDescription, kind, o.Path,
                FrameRate: 0, // the object's own Cine Rate / Frame Time
                StartedAt: image is null ? DateTimeOffset.MinValue : new DateTimeOffset(image.StartedAt),
                Dsa: kind == "dsa",
                ReferenceAirKermaMilliGray: o.Recorded?.Dose.ReferenceAirKermaMilliGray,
                DoseAreaProductGyCm2: o.Recorded?.Dose.DoseAreaProductGyCm2));
        }
        if (runs.InProgressRun is { } active && active.Exam == exam && active.Protocol.Recorded && recorder.RecordingPath is { } path)
        {
            list.Add(new RecordedRunEntry(active.Id, active.Number, active.Protocol.Name, active.Protocol.Kind.ToString().ToLowerInvariant(), path,
                active.Protocol.Phases[0].PulseRate, new DateTimeOffset(active.StartedAt), active.Protocol.Kind == RunKind.Dsa, Recording: true));
        }
        return list;
    }
}
