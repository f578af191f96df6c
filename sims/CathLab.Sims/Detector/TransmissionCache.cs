using CathLab.Sims.Phantom;
using CathLab.Sims.Physics;

namespace CathLab.Sims.Detector;

/// <summary>Primary transmission through the anatomy and lead, exp(−μw(kV)·w − μPb(kV)·l), for the whole
/// world at one kV. Recomputed only when the kV (to 0.1 kV) changes; read by the render thread only.</summary>
public sealed class TransmissionCache
{
    private readonly PhantomWorld _world;
    private readonly XRayPhysics _physics;
    private int _kvTenths = -1;
    private float[]? _uniform;
    private int _uniformKvTenths = -1;

    public TransmissionCache(PhantomWorld world, XRayPhysics physics)
    {
        _world = world;
        _physics = physics;
        Transmission = new float[world.WaterPathCm.Length];
    }

    public float[] Transmission { get; }

    /// <summary>Transmission through a uniform slab of <see cref="UniformAttenuatorWaterCm"/> water-equivalent with the
    /// table clear (no anatomy, no lead, no vessels): what the detector sees of a calibration attenuator.</summary>
    public float[] UniformAt(double kv)
    {
        int tenths = (int)Math.Round(kv * 10);
        _uniform ??= new float[Transmission.Length];
        if (tenths != _uniformKvTenths)
        {
            Array.Fill(_uniform, MathF.Exp(-(float)_physics.WaterMuPerCm(tenths / 10.0) * UniformAttenuatorWaterCm));
            _uniformKvTenths = tenths;
        }
        return _uniform;
    }

    public const float UniformAttenuatorWaterCm = 20;

    public float[] At(double kv)
    {
        int tenths = (int)Math.Round(kv * 10);
        if (tenths == _kvTenths)
        {
            return Transmission;
        }
        double exactKv = tenths / 10.0;
        float muWater = (float)_physics.WaterMuPerCm(exactKv);
        float muLead = (float)_physics.LeadMuPerCm(exactKv);
        var water = _world.WaterPathCm;
        var lead = _world.LeadPathCm;
        bool hasLead = _world.HasLead;
        Parallel.For(0, PhantomWorld.WorldSide, y =>
        {
            int start = y * PhantomWorld.WorldSide;
            for (int i = start; i < start + PhantomWorld.WorldSide; i++)
            {
                float exponent = muWater * water[i] + (hasLead ? muLead * lead[i] : 0);
                Transmission[i] = MathF.Exp(-exponent);
            }
        });
        _kvTenths = tenths;
        return Transmission;
    }
}
