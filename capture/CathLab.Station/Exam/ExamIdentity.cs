using System.Globalization;
using System.Security.Cryptography;

namespace CathLab.Station.Exam;

/// <summary>Exam ids: the local start time for people reading a log or a folder, then 64 random bits. Per-exam tokens,
/// the live feed, the audit trail and the objects' grouping key on the id, so two exams must never share one (two
/// started within a second did) and an id must not be guessable from the time alone.</summary>
public static class ExamIdentity
{
    public static string New(DateTime localStart) =>
        $"EXAM-{localStart.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";
}
