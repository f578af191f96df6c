namespace CathLab.Sims.Phantom;

/// <summary>The patient on the table as the detector sees it: precomputed attenuation maps in world
/// pixels (the 1024-pixel field plus a margin on every side for motion and table pan), the bolus, the
/// motion model, table pan and collimation. Settings that change at run time are safe to set from any thread.</summary>
public sealed class PhantomWorld
{
    public const int FieldSide = 1024;
    public const int MotionMarginPixels = 128;
    public const int WorldSide = FieldSide + 2 * MotionMarginPixels;
    private const int MaxPanPixels = MotionMarginPixels / 2;

    private long _panPacked;
    private Collimation _collimation = Collimation.Open;

    public PhantomWorld(PhantomOptions options, double pixelMm)
    {
        options.Validate();
        Options = options;
        WaterPathCm = AnatomyBuilder.WaterPath(options.Preset, WorldSide, options.WaterThicknessCm);
        LeadPathCm = AnatomyBuilder.LeadPath(options.LeadObjects, WorldSide, MotionMarginPixels, FieldSide);
        HasLead = options.LeadObjects.Count > 0;
        Vessels = VesselTreeBuilder.Build(options.Preset, WorldSide, pixelMm, options.Seed);
        Bolus = new ContrastBolus(options.BolusArrivalSeconds, options.BolusTimeToPeakSeconds, options.BolusShape);
    }

    public PhantomOptions Options { get; }
    public float[] WaterPathCm { get; }
    public float[] LeadPathCm { get; }
    public bool HasLead { get; }
    public VesselMap Vessels { get; }
    public ContrastBolus Bolus { get; }

    public Collimation Collimation
    {
        get => Volatile.Read(ref _collimation);
        set
        {
            value.Validate();
            Volatile.Write(ref _collimation, value);
        }
    }

    /// <summary>Moves the table by whole full-resolution pixels from its centre, at most ±64 each way.</summary>
    public void PanTable(int xPixels, int yPixels)
    {
        if (Math.Abs(xPixels) > MaxPanPixels || Math.Abs(yPixels) > MaxPanPixels)
        {
            throw new ArgumentOutOfRangeException(nameof(xPixels), $"table pan is limited to ±{MaxPanPixels} pixels");
        }
        Volatile.Write(ref _panPacked, ((long)xPixels << 32) | (uint)yPixels);
    }

    public (int X, int Y) TablePan
    {
        get
        {
            long packed = Volatile.Read(ref _panPacked);
            return ((int)(packed >> 32), (int)packed);
        }
    }

    /// <summary>World pixel at the field's top-left corner for the anatomy and for the vessels at a moment.</summary>
    public (int AnatomyX, int AnatomyY, int VesselX, int VesselY) Origins(long timestampMicroseconds)
    {
        double t = timestampMicroseconds / 1e6;
        var (panX, panY) = TablePan;
        double breathing = Options.RespiratoryAmplitudePixels * Math.Sin(2 * Math.PI * t / Options.RespiratoryPeriodSeconds);
        double phase = 2 * Math.PI * t * Options.HeartRateBpm / 60;
        // Systole pulls the coronaries towards the apex and back: a loop, not a line.
        double cardiacX = Options.Preset == PhantomPreset.Coronary ? Options.CardiacAmplitudePixels * 0.6 * Math.Sin(phase) : 0;
        double cardiacY = Options.Preset == PhantomPreset.Coronary ? Options.CardiacAmplitudePixels * Math.Sin(phase + 0.8) : 0;
        int ax = MotionMarginPixels - panX;
        int ay = MotionMarginPixels - panY + (int)Math.Round(breathing);
        int vx = ax + (int)Math.Round(cardiacX);
        int vy = ay + (int)Math.Round(cardiacY);
        return (Clamp(ax), Clamp(ay), Clamp(vx), Clamp(vy));
    }

    private static int Clamp(int origin) => Math.Clamp(origin, 0, 2 * MotionMarginPixels);
}
