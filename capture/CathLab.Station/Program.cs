using CathLab.Station.Hosting;

// cathlab-station: the acquisition station's service. Configuration comes from appsettings.json next to the
// executable, then environment variables (Station__Generator__SerialPort=...), then the command line
// (--Station:Generator:SerialPort=...). Every value is checked before anything starts.
var startup = StationStartup.Prepare(args, Console.Error);
if (startup is null) return ExitCodes.BadConfiguration;
try
{
    await startup.RunAsync();
    return ExitCodes.Success;
}
catch (StationStartException e)
{
    Console.Error.WriteLine($"cathlab-station: {e.Message}");
    return ExitCodes.StartFailed;
}
