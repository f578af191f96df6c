namespace CathLab.Station.Hosting;

public static class ExitCodes
{
    public const int Success = 0;
    public const int StartFailed = 1;
    public const int BadConfiguration = 2;
}

/// <summary>The station could not start (a device missing, a port taken); nothing was left running.</summary>
public sealed class StationStartException(string message, Exception? inner = null) : Exception(message, inner);
