namespace CathLab.Dicom.Data;

/// <summary>
/// A character string element (AE, AS, CS, DA, DS, DT, IS, LO, LT, PN, SH, ST, TM, UC, UI, UR, UT).
/// <see cref="Value"/> is the whole value without padding; multiple values are separated by '\'.
/// </summary>
public sealed class DicomStringElement : DicomElement
{
    public DicomStringElement(DicomTag tag, DicomVR vr, string value) : base(tag, vr)
    {
        if (!vr.IsString()) throw new ArgumentException($"{vr.Code()} is not a string VR", nameof(vr));
        Value = value ?? "";
    }

    public string Value { get; }

    /// <summary>The values split at '\' (LT, ST, UT and UR are always one value); leading/trailing spaces are trimmed.</summary>
    public string[] Values
    {
        get
        {
            if (Value.Length == 0) return [];
            if (VR.IsSingleValuedText()) return [Value.TrimEnd(' ')];
            var parts = Value.Split('\\');
            for (var i = 0; i < parts.Length; i++) parts[i] = parts[i].Trim(' ', '\0');
            return parts;
        }
    }

    public int ValueMultiplicity => Value.Length == 0 ? 0 : VR.IsSingleValuedText() ? 1 : Value.Count(c => c == '\\') + 1;

    public override string ToString() => $"{base.ToString()} [{Value}]";
}
