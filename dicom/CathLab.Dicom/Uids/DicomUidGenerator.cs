using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace CathLab.Dicom.Uids;

/// <summary>
/// Makes unique UIDs without a registry. Without a root: "2.25." followed by a random 122-bit UUID as a
/// decimal integer (PS3.5 B.2). With an organisation root from configuration: root + "." + the same
/// decimal, cut to the 64-character limit when the root is long (a 2.25 UID is used instead if that would lose more than 32 bits).
/// </summary>
public sealed class DicomUidGenerator(string? orgRoot = null)
{
    public const int MaxLength = 64;

    public static DicomUidGenerator Default { get; } = new();

    public string? OrgRoot { get; } = string.IsNullOrWhiteSpace(orgRoot) ? null : Validate(orgRoot.Trim());

    public string Next()
    {
        var uuid = RandomUuidDecimal();
        if (OrgRoot is null) return "2.25." + uuid;
        var room = MaxLength - OrgRoot.Length - 1;
        // 38 digits carry the UUID's 122 random bits; keep at least ~28 digits (about 93 bits).
        if (room < 28) return "2.25." + uuid;
        var digits = uuid.Length > room ? uuid[..room] : uuid;
        return OrgRoot + "." + digits; // a prefix of a decimal without leading zeros has none either
    }

    /// <summary>A new "2.25." UID.</summary>
    public static string NewUid() => Default.Next();

    public static bool IsValid(string? uid)
    {
        if (string.IsNullOrEmpty(uid) || uid.Length > MaxLength) return false;
        var components = uid.Split('.');
        foreach (var c in components)
        {
            if (c.Length == 0 || (c.Length > 1 && c[0] == '0')) return false;
            foreach (var ch in c) if (ch is < '0' or > '9') return false;
        }
        return true;
    }

    private static string Validate(string root) =>
        IsValid(root) && root.Length <= MaxLength - 10 ? root : throw new ArgumentException($"'{root}' is not a usable UID root");

    private static string RandomUuidDecimal()
    {
        Span<byte> b = stackalloc byte[17];
        RandomNumberGenerator.Fill(b[..16]);
        b[6] = (byte)((b[6] & 0x0F) | 0x40); // version 4
        b[8] = (byte)((b[8] & 0x3F) | 0x80); // variant
        b[16] = 0; // keeps the little-endian BigInteger positive
        var value = new BigInteger(b, isUnsigned: true, isBigEndian: false);
        return value.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>A deterministic 2.25 UID from a name (UUID v5-like over SHA-1), e.g. for a fixed implementation UID.</summary>
    public static string FromName(string name)
    {
        var hash = SHA1.HashData(Encoding.UTF8.GetBytes(name));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return "2.25." + new BigInteger(hash.AsSpan(0, 16), isUnsigned: true, isBigEndian: true).ToString(CultureInfo.InvariantCulture);
    }
}
