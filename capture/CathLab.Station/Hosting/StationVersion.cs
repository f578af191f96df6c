using System.Reflection;

namespace CathLab.Station.Hosting;

/// <summary>The software version written into every object (Software Versions) and shown by the health endpoint.</summary>
public static class StationVersion
{
    public static string Text { get; } =
        typeof(StationVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0";
}
