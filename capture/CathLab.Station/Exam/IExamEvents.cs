using CathLab.Acquisition.Protocols;
using CathLab.FirmwareBridge.Dose;
using CathLab.Wire.Generator;

namespace CathLab.Station.Exam;

/// <summary>What the exam side tells those who follow the exam (the live feed's observers): the exam's and each run's
/// start and end, the technique as it changes and the exam's dose as it grows. Called on the thread that made the
/// event (a control call, the generator link's event thread); an implementation returns without waiting.</summary>
public interface IExamEvents
{
    void ExamOpened(string examId);

    void ExamEnded(string examId);

    void RunStarted(string runId, RunKind kind, double pulseRate);

    void RunEnded(string runId, int frames);

    void TechniqueChanged(Technique technique, double pulseRate);

    void DoseChanged(DoseTotals exam);
}
