namespace CathLab.Discussion;

/// <summary>How many frames a recorded run of an exam has, as the host knows them; null for a run the exam does not
/// have. <c>Final</c> is false while the run is still being recorded (its count may grow).</summary>
public interface IRunFrameCounts
{
    (int Frames, bool Final)? FramesOf(string examId, string runId);
}
