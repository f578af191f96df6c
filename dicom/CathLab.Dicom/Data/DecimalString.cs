using System.Globalization;

namespace CathLab.Dicom.Data;

/// <summary>Formats numbers as DS values, which hold at most 16 characters (PS3.5 6.2).</summary>
internal static class DecimalString
{
    public static string Format(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        if (text.Length <= 16) return text;
        for (var digits = 15; digits > 0; digits--)
        {
            text = value.ToString("G" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            if (text.Length <= 16) return text;
        }
        return text;
    }
}
