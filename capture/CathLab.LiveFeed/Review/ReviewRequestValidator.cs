using CathLab.LiveFeed.Protocol;
using CathLab.LiveFeed.Sessions;

namespace CathLab.LiveFeed.Review;

/// <summary>The checks every transport applies to a review request (INVALID_ARGUMENT, or WebSocket close 1007).</summary>
public static class ReviewRequestValidator
{
    public const double MaxReviewFps = 30;
    public const int MaxRunIdLength = 128;

    public static string? Problem(ReviewRequest request) =>
        WatchRequestValidator.ExamIdProblem(request.ExamId)
        ?? (string.IsNullOrWhiteSpace(request.RunId) ? "run_id is required"
            : request.RunId.Length > MaxRunIdLength ? $"run_id is longer than {MaxRunIdLength} characters"
            : null)
        ?? (Enum.IsDefined(request.BestTier) ? null : $"unknown tier {(int)request.BestTier}")
        ?? (request.Fps == 0 || (double.IsFinite(request.Fps) && request.Fps >= 1 && request.Fps <= MaxReviewFps) ? null
            : $"fps must be 0 (the acquired rate) or in [1, {MaxReviewFps}]");
}
