using System.Security.Cryptography;
using System.Text;
using CathLab.LiveFeed.Tiers;

namespace CathLab.LiveFeed.Broker;

/// <summary>The subjects of one station's live feed: <c>{prefix}.{examKey}.frames.{variant}</c> and
/// <c>{prefix}.{examKey}.events.{kind}</c>. The exam key is an HMAC of the exam id under the shared secret, so a
/// subject names no exam, accession or patient.</summary>
public sealed class ExamSubjects(string prefix, string secret)
{
    public static readonly string[] EventKinds = ["run", "technique", "dose", "end"];

    public string Prefix { get; } = prefix;

    /// <summary>The stream holding the live frames of every exam of this prefix.</summary>
    public string FrameStream => Prefix + "_frames";

    /// <summary>The stream holding the last-image hold of each variant of every exam of this prefix: the picture a relay
    /// begins with between runs, kept after the frame window has let it go.</summary>
    public string HoldStream => Prefix + "_holds";

    /// <summary>The stream holding the latest event of each kind of every exam of this prefix.</summary>
    public string EventStream => Prefix + "_events";

    public string ExamKey(string examId) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(examId)).AsSpan(0, 16));

    public string Frames(string examKey, StreamVariant variant) => $"{Prefix}.{examKey}.frames.{variant.Index}";

    /// <summary>A copy of each last-image hold, which relays read only when they begin (they receive the hold live on
    /// <see cref="Frames"/>).</summary>
    public string Hold(string examKey, StreamVariant variant) => $"{Prefix}.{examKey}.hold.{variant.Index}";

    public string Event(string examKey, string kind) => $"{Prefix}.{examKey}.events.{kind}";

    /// <summary>Everything of one exam: what a relay subscribes to and what its broker account may read.</summary>
    public string AllOf(string examKey) => $"{Prefix}.{examKey}.>";
}
