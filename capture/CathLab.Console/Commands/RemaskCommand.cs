using System.Globalization;
using CathLab.Station.Protocol;

namespace CathLab.Console.Commands;

/// <summary><c>cathlab remask --run N --frames 1,2,3</c>: other mask frames for a recorded DSA run.</summary>
public sealed class RemaskCommand : StationCommand
{
    public override string Name => "remask";

    public override string Summary => "choose other mask frames for a recorded DSA run (its object is re-issued)";

    public override string Usage => """
        usage: cathlab remask --run N --frames F1,F2,...
          --run N             the run's number in the open exam
          --frames LIST       the pre-contrast frames to average into the mask, numbered from 1, comma separated
        """ + StationTarget.OptionsUsage;

    protected override IReadOnlyCollection<string> Valued => ["run", "frames"];

    protected override StationAction Prepare(IReadOnlyList<string> words, OptionReader options)
    {
        options.Required("run");
        var request = new RemaskRequest { RunNumber = (int)options.Whole("run", 0, 1, int.MaxValue) };
        request.MaskFrames.AddRange(Frames(options.Required("frames")));
        return async (station, output, cancellation) =>
        {
            var run = await station.Control.RemaskAsync(request, station.Call(cancellation));
            output.WriteLine(StationText.Run(run));
            return run.State == RunState.Failed ? ExitCodes.Failure : ExitCodes.Success;
        };
    }

    public static IReadOnlyList<int> Frames(string text)
    {
        var frames = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int frame) || frame < 1)
                throw new UsageException($"--frames: '{part}' is not a frame number (1 or more)");
            if (frames.Contains(frame)) throw new UsageException($"--frames: frame {frame} is given twice");
            frames.Add(frame);
        }
        return frames;
    }
}
