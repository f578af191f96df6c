using CathLab.Station.Hosting;

// cathlab-station: the acquisition station's service. Configuration comes from appsettings.json next to the
// executable, then environment variables (Station__Generator__SerialPort=...), then the command line
// (--Station:Generator:SerialPort=...). Every value is checked before anything starts.
try
{
    var startup = StationStartup.Prepare(args, Console.Error);
    if (startup is null) return ExitCodes.BadConfiguration;
    await startup.RunAsync();
    return ExitCodes.Success;
}
catch (Exception e) when (e is StationStartException or IOException or System.Net.Sockets.SocketException or InvalidOperationException or UnauthorizedAccessException)
{
    // A port taken, a certificate missing, a folder that cannot be written: one line, no stack trace, nothing left running.
    Console.Error.WriteLine($"cathlab-station: could not start: {e.Message}");
    return ExitCodes.StartFailed;
}
