using CathLab.LiveFeed.Protocol;

namespace CathLab.LiveFeed.Sessions;

/// <summary>The checks every transport applies to what an observer asks for; a failure is the client's fault
/// (INVALID_ARGUMENT, or a WebSocket policy close).</summary>
public static class WatchRequestValidator
{
    public const int MaxExamIdLength = 128;
    public const double MaxFpsCap = 120;

    public static string? ExamIdProblem(string? examId) =>
        string.IsNullOrWhiteSpace(examId) ? "exam_id is required"
        : examId.Length > MaxExamIdLength ? $"exam_id is longer than {MaxExamIdLength} characters"
        : examId.Any(char.IsControl) ? "exam_id contains control characters"
        : null;

    public static string? RateCapProblem(double maxFps) =>
        double.IsFinite(maxFps) && maxFps >= 0 && maxFps <= MaxFpsCap ? null : $"max_fps must be in [0, {MaxFpsCap}] (0 = no cap)";

    public static string? Problem(WatchRequest request) =>
        ExamIdProblem(request.ExamId)
        ?? (Enum.IsDefined(request.BestTier) ? null : $"unknown tier {(int)request.BestTier}")
        ?? RateCapProblem(request.MaxFps)
        ?? (request.Codec is ImageEncoding.Unspecified or ImageEncoding.Jpeg or ImageEncoding.Vp8 ? null : $"codec {request.Codec} is not offered (JPEG or VP8)");
}
