using System.Globalization;
using System.Xml.Linq;

namespace CathLab.Security.Audit.Atna;

/// <summary>One audit record as a DICOM audit message (PS3.15 A.5, the RFC 3881 shape): the event (its DCM event ID,
/// action, time and outcome), the person or machine that acted, this station as the audit source, and the exam as the
/// participant object.</summary>
public static class AtnaAuditMessage
{
    private const string Dcm = "DCM";

    public static string Of(AuditRecord record, string sourceId)
    {
        var (code, name) = EventOf(record);
        var message = new XElement("AuditMessage",
            new XElement("EventIdentification",
                new XAttribute("EventActionCode", ActionCodeOf(record.Action)),
                new XAttribute("EventDateTime", record.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)),
                new XAttribute("EventOutcomeIndicator", OutcomeOf(record.Outcome)),
                Coded("EventID", code, name),
                new XElement("EventTypeCode", new XAttribute("csd-code", record.Action), new XAttribute("codeSystemName", "99CATHLAB"), new XAttribute("originalText", record.Action))),
            new XElement("ActiveParticipant",
                new XAttribute("UserID", record.Subject),
                new XAttribute("UserIsRequestor", "true"),
                PeerAttributes(record.Peer)),
            new XElement("AuditSourceIdentification", new XAttribute("AuditSourceID", sourceId),
                new XElement("AuditSourceTypeCode", new XAttribute("csd-code", "4"), new XAttribute("codeSystemName", "DCM"), new XAttribute("originalText", "Application Server Process"))));
        if (record.ExamId is { } exam)
        {
            message.Add(new XElement("ParticipantObjectIdentification",
                new XAttribute("ParticipantObjectID", exam), new XAttribute("ParticipantObjectTypeCode", "2"), new XAttribute("ParticipantObjectTypeCodeRole", "3"),
                Coded("ParticipantObjectIDTypeCode", "110180", "Study Instance UID"),
                record.Detail is { } detail ? new XElement("ParticipantObjectDetail", new XAttribute("type", "detail"), new XAttribute("value", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(detail)))) : null));
        }
        return message.ToString(SaveOptions.DisableFormatting);
    }

    private static XElement Coded(string element, string code, string name) =>
        new(element, new XAttribute("csd-code", code), new XAttribute("codeSystemName", Dcm), new XAttribute("originalText", name));

    private static IEnumerable<XAttribute> PeerAttributes(string? peer)
    {
        if (peer is null) yield break;
        int colon = peer.LastIndexOf(':');
        yield return new XAttribute("NetworkAccessPointID", colon > 0 ? peer[..colon] : peer);
        yield return new XAttribute("NetworkAccessPointTypeCode", "2"); // an IP address
    }

    /// <summary>The DCM event IDs (PS3.15 A.5.3): sign-ins are user authentication, refusals and invitation steps
    /// security alerts, watching and fetching instances accessed, anything else application activity.</summary>
    private static (string Code, string Name) EventOf(AuditRecord record)
    {
        if (record.Action.Contains("sign-in", StringComparison.Ordinal)) return ("110114", "User Authentication");
        if (record.Outcome is "Unauthenticated" or "PermissionDenied" || record.Action.StartsWith("invitation-", StringComparison.Ordinal) || record.Action == "session-end")
            return ("110113", "Security Alert");
        if (record.Action.StartsWith("watch", StringComparison.Ordinal) || record.Action.StartsWith("review", StringComparison.Ordinal) || record.Action.Contains("Fetch", StringComparison.Ordinal))
            return ("110103", "DICOM Instances Accessed");
        return ("110100", "Application Activity");
    }

    private static string ActionCodeOf(string action) =>
        action.StartsWith("watch", StringComparison.Ordinal) || action.StartsWith("review", StringComparison.Ordinal) ? "R"
        : action.EndsWith("-create", StringComparison.Ordinal) ? "C" : action.EndsWith("-revoke", StringComparison.Ordinal) ? "D" : "E";

    /// <summary>0 success, 4 minor failure (a refused caller), 8 serious failure.</summary>
    private static string OutcomeOf(string outcome) => outcome switch
    {
        "OK" => "0",
        "Unauthenticated" or "PermissionDenied" or "InvalidArgument" or "NotFound" or "FailedPrecondition" or "Cancelled" => "4",
        _ => "8",
    };
}
