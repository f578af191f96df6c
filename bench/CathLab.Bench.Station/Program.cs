using System.Globalization;
using System.Runtime.InteropServices;
using CathLab.Bench.Station;

// The station end to end: cathlab-sim (serial pty + frame link) → station (ABC, processing, recorder, live feed hub),
// one recorded cine run per frame rate, figures printed as Markdown and kept under the results folder.
var options = HarnessOptions.Parse(args, out string error);
if (options is null)
{
    Console.Error.WriteLine(error);
    return error == HarnessOptions.Usage ? 0 : 2;
}

string machine = $"{Environment.ProcessorCount} cores, {RuntimeInformation.ProcessArchitecture}, .NET {Environment.Version}, {RuntimeInformation.OSDescription}.";
var results = new List<RateResult>();
foreach (double rate in options.FrameRates)
{
    try
    {
        results.Add(await RateRun.RunAsync(rate, options, Console.Out));
    }
    catch (Exception e) when (e is InvalidOperationException or IOException or TimeoutException or CathLab.Station.Control.StationRefusedException)
    {
        Console.Error.WriteLine($"{rate} fps: the run could not be made: {e.Message}");
        return 1;
    }
}

string table = ResultsTable.Markdown(results, options, machine);
Console.WriteLine();
Console.WriteLine(table);
Directory.CreateDirectory(options.ResultsFolder);
string file = Path.Combine(options.ResultsFolder, $"station-e2e-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.md");
File.WriteAllText(file, table);
Console.WriteLine($"written to {file}");
return results.All(r => r.RunState == "Complete" && r.RecorderDropped == 0 && r.ObjectMatchesPulses) ? 0 : 3;
