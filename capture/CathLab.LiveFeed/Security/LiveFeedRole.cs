namespace CathLab.LiveFeed.Security;

/// <summary>What a token may do. A technician may do everything an observer may.</summary>
public enum LiveFeedRole
{
    Observer = 1,
    Technician = 2,
}
