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

    public TransmissionCache(PhantomWorld world, XRayPhysics physics)
    {
        _world = world;
        _physics = physics;
        Transmission = new float[world.WaterPathCm.Length];
    }

    public float[] Transmission { get; }

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
