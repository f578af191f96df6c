using CathLab.Sims.Cli;
using CathLab.Sims.Exerciser;
using CathLab.Sims.SerialLine;

const string Usage = """
    cathlab-sim: the X-ray generator (serial line) and detector (frame link) of a cath lab, simulated.

    usage:
      cathlab-sim serve --serial PATH [options]    run the simulators until stdin closes or 'quit' / Ctrl-C
      cathlab-sim exercise --serial PATH --frame-port N [--frame-host H] [--fluoro-seconds S] [--cine-seconds S]
                                                   drive a generator and detector (simulated or real) through a short
                                                   session over the documented protocols and print what they produce
      cathlab-sim demo [options]                   serve on a fresh socat pty pair and exercise it, in one process
      cathlab-sim --help

    generator options:
      --serial PATH          serial device the generator listens on (e.g. one end of a socat pty pair)
      --baud N               baud rate, default 115200 (8N1, no flow control)
      --heartbeat-ms N       heartbeat window, 20..5000, default 250
      --corrupt-rate R       probability that a serial byte is corrupted, 0..1, default 0
      --drop-rate R          probability that a serial byte is lost, 0..1, default 0
      --silent               start with the generator not talking (it still stops emission without heartbeat)

    detector and phantom options:
      --frame-port N         TCP port of the frame link on 127.0.0.1, default 0 (a free port, printed)
      --mode 1024|512        readout size, default 1024
      --bits N               bits stored, 10..16, default 14
      --preset NAME          coronary | peripheral | water, default coronary
      --thickness CM         patient water-equivalent thickness, 15..35, default 20
      --heart-rate BPM       0..250, default 70
      --lead                 put a lead block in the field
      --frame-drop-every N   drop every Nth exposed frame (0: off)
      --frame-late-every N   hold every Nth frame back by --frame-late-ms
      --frame-late-ms MS     0..10000
      --dead-row N, --dead-column N   a dead detector line
      --seed N               seed for every random process, default 1

    """;

try
{
    if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
    {
        Console.Write(Usage + RuntimeConsole.Help + "\n");
        return args.Length == 0 ? 2 : 0;
    }
    string command = args[0];
    var reader = new ArgumentReader(args.Skip(1), SimulatorSettings.Flags);
    if (reader.Flag("help"))
    {
        Console.Write(Usage + RuntimeConsole.Help + "\n");
        return 0;
    }
    return command switch
    {
        "serve" => Serve(reader),
        "exercise" => await Exercise(reader),
        "demo" => await Demo(reader),
        _ => throw new UsageException($"unknown command '{command}' (serve, exercise, demo)"),
    };
}
catch (UsageException e)
{
    Console.Error.WriteLine($"cathlab-sim: {e.Message}");
    return 2;
}
catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException)
{
    Console.Error.WriteLine($"cathlab-sim: {e.Message}");
    return 1;
}

static int Serve(ArgumentReader reader)
{
    string serial = reader.RequiredText("serial");
    var settings = SimulatorSettings.Read(reader);
    reader.RejectUnknown();
    using var simulator = new RunningSimulator(serial, settings);
    Console.WriteLine($"cathlab-sim: generator on {serial} at {settings.BaudRate} baud; frame link on 127.0.0.1:{simulator.Detector.Port}");
    Console.WriteLine("cathlab-sim: ready (type help for runtime commands)");
    var console = new RuntimeConsole(simulator, Console.Out);
    using var stop = new ManualResetEventSlim();
    Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Set(); };
    AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Set();
    var input = new Thread(() =>
    {
        string? line;
        while ((line = Console.In.ReadLine()) is not null && console.Execute(line)) { }
        stop.Set();
    }) { IsBackground = true };
    input.Start();
    stop.Wait();
    Console.WriteLine("cathlab-sim: stopped");
    return 0;
}

static async Task<int> Exercise(ArgumentReader reader)
{
    string serial = reader.RequiredText("serial");
    string host = reader.Text("frame-host") ?? "127.0.0.1";
    int port = reader.Integer("frame-port", 0, 1, 65535);
    if (port == 0) throw new UsageException("option --frame-port is required");
    var fluoro = TimeSpan.FromSeconds(reader.Number("fluoro-seconds", 2, 0.2, 600));
    var cine = TimeSpan.FromSeconds(reader.Number("cine-seconds", 2, 0.2, 600));
    reader.RejectUnknown();
    return await RunExercise(serial, host, port, fluoro, cine);
}

static async Task<int> Demo(ArgumentReader reader)
{
    var fluoro = TimeSpan.FromSeconds(reader.Number("fluoro-seconds", 2, 0.2, 600));
    var cine = TimeSpan.FromSeconds(reader.Number("cine-seconds", 2, 0.2, 600));
    var settings = SimulatorSettings.Read(reader);
    reader.RejectUnknown();
    using var pty = new PseudoTerminalPair();
    using var simulator = new RunningSimulator(pty.GeneratorEnd, settings);
    Console.WriteLine($"cathlab-sim: generator on {pty.GeneratorEnd} (socat pty pair), frame link on 127.0.0.1:{simulator.Detector.Port}");
    int result = await RunExercise(pty.StationEnd, "127.0.0.1", simulator.Detector.Port, fluoro, cine);
    new RuntimeConsole(simulator, Console.Out).Execute("status");
    return result;
}

static async Task<int> RunExercise(string serial, string host, int port, TimeSpan fluoro, TimeSpan cine)
{
    using var generator = new GeneratorProbe(serial);
    await using var frames = await FrameProbe.ConnectAsync(host, port);
    using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(30));
    return await new ExerciseScript(generator, frames, Console.Out).RunAsync(fluoro, cine, cancel.Token);
}
