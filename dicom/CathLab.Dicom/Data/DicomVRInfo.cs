namespace CathLab.Dicom.Data;

/// <summary>Encoding rules of each VR (PS3.5 6.2 and 7.1.2).</summary>
public static class DicomVRInfo
{
    public static string Code(this DicomVR vr) => new([(char)((ushort)vr >> 8), (char)((ushort)vr & 0xFF)]);

    /// <summary>Parses the two header bytes of an explicit VR element; false when they are not a known VR.</summary>
    public static bool TryParse(byte first, byte second, out DicomVR vr)
    {
        vr = (DicomVR)((first << 8) | second);
        return Enum.IsDefined(vr);
    }

    public static bool TryParse(string? code, out DicomVR vr)
    {
        vr = default;
        return code is { Length: 2 } && TryParse((byte)code[0], (byte)code[1], out vr);
    }

    /// <summary>
    /// True for the VRs whose explicit VR header is 12 bytes (2 reserved bytes and a 32-bit length):
    /// OB, OD, OF, OL, OV, OW, SQ, SV, UC, UN, UR, UT, UV.
    /// </summary>
    public static bool HasLongLength(this DicomVR vr) => vr is DicomVR.OB or DicomVR.OD or DicomVR.OF or DicomVR.OL
        or DicomVR.OV or DicomVR.OW or DicomVR.SQ or DicomVR.SV or DicomVR.UC or DicomVR.UN or DicomVR.UR
        or DicomVR.UT or DicomVR.UV;

    /// <summary>Character string VRs (values are text, padded with a space, or NUL for UI).</summary>
    public static bool IsString(this DicomVR vr) => vr is DicomVR.AE or DicomVR.AS or DicomVR.CS or DicomVR.DA
        or DicomVR.DS or DicomVR.DT or DicomVR.IS or DicomVR.LO or DicomVR.LT or DicomVR.PN or DicomVR.SH
        or DicomVR.ST or DicomVR.TM or DicomVR.UC or DicomVR.UI or DicomVR.UR or DicomVR.UT;

    /// <summary>String VRs whose value is one value even when it contains a backslash (PS3.5 6.4).</summary>
    public static bool IsSingleValuedText(this DicomVR vr) => vr is DicomVR.LT or DicomVR.ST or DicomVR.UT or DicomVR.UR;

    /// <summary>String VRs whose bytes are decoded with the Specific Character Set (others are the default repertoire).</summary>
    public static bool UsesSpecificCharacterSet(this DicomVR vr) => vr is DicomVR.LO or DicomVR.LT or DicomVR.PN
        or DicomVR.SH or DicomVR.ST or DicomVR.UC or DicomVR.UT;

    /// <summary>Byte that pads an odd-length value to even length.</summary>
    public static byte PaddingByte(this DicomVR vr) => vr == DicomVR.UI || !vr.IsString() ? (byte)0 : (byte)' ';

    /// <summary>Size of one binary value (2 for US, 8 for FD, ...); 1 for OB and UN, 0 for strings and SQ.</summary>
    public static int ValueSize(this DicomVR vr) => vr switch
    {
        DicomVR.US or DicomVR.SS or DicomVR.OW => 2,
        DicomVR.UL or DicomVR.SL or DicomVR.FL or DicomVR.OF or DicomVR.OL or DicomVR.AT => 4,
        DicomVR.FD or DicomVR.OD or DicomVR.SV or DicomVR.UV or DicomVR.OV => 8,
        DicomVR.OB or DicomVR.UN => 1,
        _ => 0,
    };

    /// <summary>Binary VRs (numbers, AT and the O* VRs, UN): the value is little-endian bytes.</summary>
    public static bool IsBinary(this DicomVR vr) => !vr.IsString() && vr != DicomVR.SQ;
}
