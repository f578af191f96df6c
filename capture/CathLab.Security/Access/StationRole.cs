namespace CathLab.Security.Access;

/// <summary>What a token may do. A technician may do everything an observer may.</summary>
public enum StationRole
{
    Observer = 1,
    Technician = 2,
}
