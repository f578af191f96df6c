using CathLab.FirmwareBridge.Abc;
using CathLab.Wire.Generator;

namespace CathLab.FirmwareBridge.Tests.Support;

/// <summary>A deterministic stand-in for tube, patient and detector:
/// brightness = k·mAs·kV^2·exp(−μ(kV)·t)·(lead transmission), μ(kV) = μ70·(70/kV)^0.8, and the technique decided
/// after frame k shows first in frame k + <see cref="Delay"/>.</summary>
public sealed class AbcPlant
{
    public double Gain { get; init; } = 139;
    public double MuAt70PerCm { get; init; } = 0.20;
    public double MuExponent { get; init; } = 0.8;
    public double LeadMuAt70PerCm { get; init; } = 60;
    public double LeadThicknessCm { get; init; } = 0.1;

    /// <summary>Frames between a decision and the first frame made with it (1: the next frame).</summary>
    public int Delay { get; init; } = 2;

    /// <summary>True tube output at the reference point, mGy per mAs (the simulator's: 7.8 nGy/mAs/kV² at 1 m, IRP at 60 cm).</summary>
    public static double TrueOutputMilliGrayPerMas(double kv) => 0.0078e-3 * kv * kv / 0.36;

    public double Brightness(in Technique t, double thicknessCm, bool lead)
    {
        double mu = MuAt70PerCm * Math.Pow(70 / t.Kv, MuExponent);
        double transmission = Math.Exp(-mu * thicknessCm);
        if (lead) transmission *= Math.Exp(-LeadMuAt70PerCm * Math.Pow(70 / t.Kv, 2.5) * LeadThicknessCm);
        return Gain * t.MilliampereSeconds * t.Kv * t.Kv * transmission;
    }

    public sealed record Step(int Frame, double Thickness, bool Lead, Technique Technique, double Brightness, AbcDecision Decision, double TrueRateMilliGrayPerMin);

    /// <summary>Runs <paramref name="frames"/> frames; the calibration learns from each pulse as a generator report would.</summary>
    public List<Step> Run(AutoDoseController controller, int frames, Func<int, double> thickness, Func<int, bool>? lead = null, Technique? start = null)
    {
        var techniques = new Technique[frames + Delay + 1];
        var initial = start ?? controller.Initial().Technique;
        for (int i = 0; i <= Delay && i < techniques.Length; i++) techniques[i] = initial;
        var steps = new List<Step>(frames);
        for (int k = 0; k < frames; k++)
        {
            var t = techniques[k];
            double kerma = TrueOutputMilliGrayPerMas(t.Kv) * t.MilliampereSeconds;
            controller.Limiter.Calibration.Observe(t, kerma);
            double th = thickness(k);
            bool pb = lead?.Invoke(k) ?? false;
            double b = Brightness(t, th, pb);
            var d = controller.Next(b, t);
            techniques[k + Delay] = d.Applied.Technique;
            for (int j = k + 1; j < k + Delay; j++)
            {
                if (techniques[j] == default) techniques[j] = techniques[k];
            }
            steps.Add(new Step(k, th, pb, t, b, d, kerma * controller.PulseRate * 60));
        }
        return steps;
    }
}
