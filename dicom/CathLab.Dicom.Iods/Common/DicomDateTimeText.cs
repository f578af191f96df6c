using System.Globalization;

namespace CathLab.Dicom.Iods.Common;

/// <summary>DA, TM and DT text (PS3.5 6.2), local time as the station's clock reads it.</summary>
public static class DicomDateTimeText
{
    public static string Date(DateTime t) => t.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
    public static string Date(DateOnly d) => d.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
    public static string Time(DateTime t) => t.ToString("HHmmss.ffffff", CultureInfo.InvariantCulture);
    public static string DateTime(DateTime t) => t.ToString("yyyyMMddHHmmss.ffffff", CultureInfo.InvariantCulture);
}
