namespace CathLab.Discussion;

/// <summary>What a capture records: one frame of one run as everyone sees it now, with its marks; <see cref="Number"/> counts
/// the discussion's captures from 1.</summary>
public sealed record CaptureRequest(string ExamId, string RunId, int Frame, ViewSettings View, IReadOnlyList<Annotation> Annotations, Participant By, DateTimeOffset At, int Number);

/// <summary>Turns a captured frame into a stored object handed to publishing; the host's (the station writes a
/// Grayscale Softcopy Presentation State into its outbox).</summary>
public interface IFrameCapture
{
    /// <summary>Stores the capture and returns the new object's SOP Instance UID.</summary>
    /// <exception cref="CaptureRefusedException">The capture cannot be made; the message says why.</exception>
    string Capture(CaptureRequest request);
}

public sealed class CaptureRefusedException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>One capture as the discussion keeps it.</summary>
public sealed record CapturedFrame(string By, string RunId, int Frame, string SopInstanceUid, long At);
