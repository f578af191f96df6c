using CathLab.Acquisition.Protocols;
using CathLab.FirmwareBridge.Dose;
using CathLab.LiveFeed;
using CathLab.Station.Exam;
using CathLab.Wire.Generator;

namespace CathLab.Station.Live;

/// <summary>The live feed as a follower of the exam: each exam event becomes the hub's own call, as frames reach it
/// through <see cref="LiveFeedFrameSink"/>.</summary>
public sealed class LiveFeedExamEvents(LiveFeedHub hub) : IExamEvents
{
    public void ExamOpened(string examId) => hub.BeginExam(examId);

    public void ExamEnded(string examId) => hub.EndExam();

    public void RunStarted(string runId, RunKind kind, double pulseRate) => hub.PublishRunStarted(runId, kind.ToString().ToLowerInvariant(), pulseRate);

    public void RunEnded(string runId, int frames) => hub.PublishRunEnded(runId, frames);

    public void TechniqueChanged(Technique technique, double pulseRate) =>
        hub.PublishTechnique(technique.Kv, technique.Ma, technique.PulseWidthMs, pulseRate);

    public void DoseChanged(DoseTotals exam) =>
        hub.PublishDose(exam.ReferenceAirKermaMilliGray, exam.DoseAreaProductGyCm2, exam.FluoroTime.TotalSeconds);
}
