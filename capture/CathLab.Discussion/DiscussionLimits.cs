namespace CathLab.Discussion;

/// <summary>The protocol's limits (docs/discussion.md). They keep every operation's message small (goal: 1 KB).</summary>
public static class DiscussionLimits
{
    public const int MaxChatChars = 1000;
    public const int MaxAnnotationTextChars = 200;
    public const int MaxNameChars = 64;
    public const int MaxFreeLinePoints = 32;
    public const double MaxCoordinate = 65_535;
    public const double MaxRateFps = 60;
    public const double MinZoom = 0.1, MaxZoom = 16;
    public static readonly TimeSpan PointerInterval = TimeSpan.FromMilliseconds(50);
}
