namespace CathLab.Acquisition.Protocols;

/// <summary>The acquisition protocols the station offers out of the box, with the rates cath labs use.</summary>
public static class ProtocolCatalog
{
    public static IReadOnlyList<AcquisitionProtocol> Defaults { get; } =
    [
        new("cardiac-fluoro-7.5", "cardiac fluoro, 7.5 pulses/s, live, not recorded", RunKind.Fluoro, [new("live", 7.5)]),
        new("cardiac-fluoro-15", "cardiac fluoro, 15 pulses/s, live, not recorded", RunKind.Fluoro, [new("live", 15)]),
        new("cardiac-cine-15", "cardiac cine, 15 frames/s, recorded while the pedal is held", RunKind.Cine, [new("cine", 15)]),
        new("cardiac-cine-30", "cardiac cine, 30 frames/s, recorded while the pedal is held", RunKind.Cine, [new("cine", 30)]),
        new("peripheral-dsa-3", "peripheral DSA, 3 frames/s, mask from the first 4 frames", RunKind.Dsa, [new("dsa", 3)], MaskFrames: 4) { BodyPart = "EXTREMITY" },
        new("peripheral-dsa-6", "peripheral DSA, 6 frames/s, mask from the first 6 frames", RunKind.Dsa, [new("dsa", 6)], MaskFrames: 6) { BodyPart = "EXTREMITY" },
        new("cerebral-dsa", "cerebral DSA in phases: arterial 6 frames/s for 3 s, capillary 2 frames/s for 4 s, venous 4 frames/s",
            RunKind.Dsa,
            [new("arterial", 6, TimeSpan.FromSeconds(3)), new("capillary", 2, TimeSpan.FromSeconds(4)), new("venous", 4)],
            MaskFrames: 4) { BodyPart = "HEAD" },
    ];

    /// <summary>The built-in protocols followed by the site's own; a site protocol with a built-in name replaces it.</summary>
    public static IReadOnlyList<AcquisitionProtocol> WithSiteProtocols(IEnumerable<ProtocolOptions> site)
    {
        var own = site.Select(FromOptions).ToList();
        return [.. Defaults.Where(d => own.All(o => o.Name != d.Name)), .. own];
    }

    public static AcquisitionProtocol FromOptions(ProtocolOptions p) =>
        new(p.Name, p.Description.Length > 0 ? p.Description : p.Name, p.Kind,
            [.. p.Phases.Select((phase, i) => new AcquisitionPhase(phase.Name, phase.PulseRate,
                i == p.Phases.Count - 1 && phase.Seconds == 0 ? null : TimeSpan.FromSeconds(phase.Seconds)))],
            p.MaskFrames)
        { BodyPart = p.BodyPart };

    public static AcquisitionProtocol Find(IEnumerable<AcquisitionProtocol> protocols, string name) =>
        protocols.FirstOrDefault(p => p.Name == name)
        ?? throw new KeyNotFoundException($"no acquisition protocol named '{name}' (known: {string.Join(", ", protocols.Select(p => p.Name))})");
}
