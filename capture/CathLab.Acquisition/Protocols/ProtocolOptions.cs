using CathLab.Acquisition.Configuration;
using CathLab.Acquisition.Protocols;

namespace CathLab.Acquisition.Protocols;

/// <summary>One acquisition protocol of the site (Station:Protocols:N): a kind, one or more phases at their pulse
/// rates, and for DSA the mask frames.</summary>
public sealed class ProtocolOptions : IOptionsSection
{
    public const int MaxNameLength = 64;
    public const double MinPulseRate = 0.5, MaxPulseRate = 60;

    public string Name { get; set; } = "";
    public string Description { get; set; } = "";

    /// <summary>Fluoro (live, not recorded), Cine (a recorded run) or Dsa (a recorded subtracted run).</summary>
    public RunKind Kind { get; set; } = RunKind.Cine;

    public List<ProtocolPhaseOptions> Phases { get; set; } = [];
    public int MaskFrames { get; set; }

    /// <summary>Body Part Examined of the run's series (PS3.16 CID 4031), e.g. HEART, HEAD, EXTREMITY.</summary>
    public string BodyPart { get; set; } = "HEART";

    public IEnumerable<string> Problems(string at)
    {
        if (string.IsNullOrWhiteSpace(Name) || Name.Length > MaxNameLength) yield return $"{at}:Name is required (at most {MaxNameLength} characters)";
        if (!Enum.IsDefined(Kind)) yield return $"{at}:Kind '{Kind}' must be {OptionsChecks.Names<RunKind>()}";
        if (Phases.Count == 0) yield return $"{at}:Phases needs at least one phase";
        for (int j = 0; j < Phases.Count; j++)
        {
            var phase = Phases[j];
            if (!(phase.PulseRate is >= MinPulseRate and <= MaxPulseRate)) yield return $"{at}:Phases:{j}:PulseRate {phase.PulseRate} must be {MinPulseRate}–{MaxPulseRate} pulses/s";
            if (!(j == Phases.Count - 1 ? phase.Seconds >= 0 : phase.Seconds > 0)) yield return $"{at}:Phases:{j}:Seconds {phase.Seconds} must be positive (0 only for the last phase)";
        }
        if (!(Kind == RunKind.Dsa ? MaskFrames >= 1 : MaskFrames == 0)) yield return $"{at}:MaskFrames {MaskFrames}: a DSA protocol needs at least one mask frame, others none";
        if (string.IsNullOrWhiteSpace(BodyPart)) yield return $"{at}:BodyPart must not be empty";
    }
}

public sealed class ProtocolPhaseOptions
{
    public string Name { get; set; } = "run";
    public double PulseRate { get; set; }

    /// <summary>Seconds; 0 for the last phase, which lasts while the pedal is held.</summary>
    public double Seconds { get; set; }
}
