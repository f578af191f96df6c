namespace CathLab.Security.Audit;

/// <summary>One line of the audit trail: who did what to which exam, when, for how long, and how it ended
/// (a gRPC status name: OK, Unauthenticated, PermissionDenied, InvalidArgument, ...).</summary>
public sealed record AuditRecord(
    DateTimeOffset At,
    string Subject,
    string Action,
    string Outcome,
    string? ExamId = null,
    string? Role = null,
    string? Peer = null,
    string? Transport = null,
    double? DurationSeconds = null,
    string? Detail = null);
