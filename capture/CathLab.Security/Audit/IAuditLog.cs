namespace CathLab.Security.Audit;

/// <summary>Where audit records go. Implementations must be thread-safe and must not block for long.</summary>
public interface IAuditLog
{
    void Record(AuditRecord record);
}
