using System.Text;

namespace CathLab.Dicom.Data;

/// <summary>
/// Maps Specific Character Set (0008,0005) to a text encoding. Supported: the default repertoire (empty),
/// ISO_IR 6, ISO_IR 100 (Latin-1) and ISO_IR 192 (UTF-8). Other terms fall back to Latin-1 for reading,
/// so bytes survive a round trip; <see cref="IsSupported"/> tells them apart.
/// </summary>
public static class DicomCharacterSet
{
    public const string Latin1 = "ISO_IR 100";
    public const string Utf8 = "ISO_IR 192";

    /// <summary>Default repertoire: ASCII; decoded as Latin-1 so that stray bytes are not lost.</summary>
    public static Encoding Default => Encoding.Latin1;

    public static Encoding ForSpecificCharacterSet(string? value)
    {
        var term = FirstTerm(value);
        return term switch
        {
            "ISO_IR 192" => Encoding.UTF8,
            _ => Encoding.Latin1,
        };
    }

    public static bool IsSupported(string? value) => FirstTerm(value) is "" or "ISO_IR 6" or "ISO 2022 IR 6" or Latin1 or Utf8 or "ISO 2022 IR 100";

    private static string FirstTerm(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return "";
        var terms = value.Split('\\');
        // A first empty term means the default repertoire with code extensions; take the next one.
        var term = terms[0].Trim();
        if (term.Length == 0 && terms.Length > 1) term = terms[1].Trim();
        return term;
    }
}
