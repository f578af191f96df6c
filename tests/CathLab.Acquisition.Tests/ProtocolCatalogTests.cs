using CathLab.Acquisition.Protocols;
using CathLab.Sims.Generator;
using CathLab.Wire.Generator;

namespace CathLab.Acquisition.Tests;

public sealed class ProtocolCatalogTests
{
    private static readonly GeneratorCapabilities Capabilities = new GeneratorSimOptions().Capabilities;

    [Fact]
    public void Every_default_protocol_runs_on_the_reference_generator() =>
        Assert.All(ProtocolCatalog.Defaults, p => Assert.Null(p.Violation(Capabilities)));

    [Fact]
    public void The_catalog_has_the_rates_cath_labs_use()
    {
        var byName = ProtocolCatalog.Defaults.ToDictionary(p => p.Name);
        Assert.Equal(7.5, byName["cardiac-fluoro-7.5"].Phases[0].PulseRate);
        Assert.Equal(30, byName["cardiac-cine-30"].Phases[0].PulseRate);
        Assert.False(byName["cardiac-fluoro-15"].Recorded);
        Assert.True(byName["cardiac-cine-15"].Recorded);
        Assert.Equal(["arterial", "capillary", "venous"], byName["cerebral-dsa"].Phases.Select(p => p.Name));
        Assert.All(ProtocolCatalog.Defaults.Where(p => p.Kind == RunKind.Dsa), p => Assert.InRange(p.Phases[0].PulseRate, 2, 6));
    }

    [Fact]
    public void A_protocol_the_generator_cannot_run_is_refused_with_the_reason()
    {
        var tooFast = new AcquisitionProtocol("fast", "", RunKind.Cine, [new("cine", 90)]);
        Assert.Contains("90 pulses/s outside", tooFast.Violation(Capabilities));
        var noMask = new AcquisitionProtocol("dsa", "", RunKind.Dsa, [new("dsa", 3)]);
        Assert.Contains("mask frame", noMask.Violation(Capabilities));
        var empty = new AcquisitionProtocol("none", "", RunKind.Fluoro, []);
        Assert.Contains("no phase", empty.Violation(Capabilities));
        Assert.Throws<KeyNotFoundException>(() => ProtocolCatalog.Find(ProtocolCatalog.Defaults, "cine-999"));
    }
}
