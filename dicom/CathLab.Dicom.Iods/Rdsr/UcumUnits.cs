namespace CathLab.Dicom.Iods.Rdsr;

/// <summary>Measurement units (UCUM) of the dose report's numeric items.</summary>
public static class UcumUnits
{
    private static CodedConcept U(string code, string meaning) => new(code, "UCUM", meaning);

    public static readonly CodedConcept GrayM2 = U("Gy.m2", "Gy.m2");
    public static readonly CodedConcept Gray = U("Gy", "Gy");
    public static readonly CodedConcept Second = U("s", "s");
    public static readonly CodedConcept Kilovolt = U("kV", "kV");
    public static readonly CodedConcept Milliampere = U("mA", "mA");
    public static readonly CodedConcept Millisecond = U("ms", "ms");
    public static readonly CodedConcept Degree = U("deg", "deg");
    public static readonly CodedConcept Millimetre = U("mm", "mm");
    public static readonly CodedConcept MicroampereSecond = U("uA.s", "uA.s");
    public static readonly CodedConcept PulsePerSecond = U("{pulse}/s", "pulse/s");
    public static readonly CodedConcept NoUnits = U("1", "no units");
}
