using CathLab.Dicom.Network.Dimse;

namespace CathLab.Dicom.Network.Status;

/// <summary>
/// The meanings of DIMSE status codes: PS3.7 Annex C (general) and the service-specific codes of PS3.4
/// (Storage §B.2.3, Query/Retrieve §C.4, MPPS §F.7, Storage Commitment §J.3). A code not listed is still
/// classified by its range.
/// </summary>
public static class DimseStatusCatalog
{
    private static readonly Dictionary<ushort, (string Meaning, FailureKind? Failure)> Known = new()
    {
        [0x0000] = ("success", null),
        [0xFF00] = ("pending: matches are continuing", null),
        [0xFF01] = ("pending: matches are continuing, some optional keys were not supported", null),
        [0xFE00] = ("cancel: operation terminated by cancel request", FailureKind.Permanent),
        [0x0001] = ("warning: requested optional attributes are not supported", null),
        [0x0107] = ("warning: attribute list error", null),
        [0x0116] = ("warning: attribute value out of range", null),
        [0xB000] = ("warning: coercion of data elements", null),
        [0xB006] = ("warning: elements discarded", null),
        [0xB007] = ("warning: data set does not match SOP class", null),
        [0x0105] = ("failure: no such attribute", FailureKind.Permanent),
        [0x0106] = ("failure: invalid attribute value", FailureKind.Permanent),
        [0x0110] = ("failure: processing failure", FailureKind.Transient),
        [0x0111] = ("failure: duplicate SOP instance", FailureKind.Permanent),
        [0x0112] = ("failure: no such SOP instance", FailureKind.Permanent),
        [0x0113] = ("failure: no such event type", FailureKind.Permanent),
        [0x0114] = ("failure: no such argument", FailureKind.Permanent),
        [0x0115] = ("failure: invalid argument value", FailureKind.Permanent),
        [0x0117] = ("failure: invalid object instance", FailureKind.Permanent),
        [0x0118] = ("failure: no such SOP class", FailureKind.Permanent),
        [0x0119] = ("failure: class-instance conflict", FailureKind.Permanent),
        [0x0120] = ("failure: missing attribute", FailureKind.Permanent),
        [0x0121] = ("failure: missing attribute value", FailureKind.Permanent),
        [0x0122] = ("refused: SOP class not supported", FailureKind.Permanent),
        [0x0123] = ("failure: no such action", FailureKind.Permanent),
        [0x0124] = ("refused: not authorized", FailureKind.Permanent),
        [0x0210] = ("failure: duplicate invocation", FailureKind.Permanent),
        [0x0211] = ("failure: unrecognized operation", FailureKind.Permanent),
        [0x0212] = ("failure: mistyped argument", FailureKind.Permanent),
        [0x0213] = ("failure: resource limitation", FailureKind.Transient),
        [0xA801] = ("refused: move destination unknown", FailureKind.Permanent),
    };

    public static DimseStatus Describe(ushort code, CommandField? field = null)
    {
        if (Known.TryGetValue(code, out var known))
        {
            return new DimseStatus(code, CategoryOf(code), known.Meaning, known.Failure);
        }
        var service = field is { } f ? ServiceName(f) : "operation";
        return (code >> 8) switch
        {
            0xA7 => new DimseStatus(code, StatusCategory.Failure, $"refused: out of resources ({service})", FailureKind.Transient),
            0xA9 => new DimseStatus(code, StatusCategory.Failure, $"error: data set does not match SOP class ({service})", FailureKind.Permanent),
            >= 0xC0 and <= 0xCF => new DimseStatus(code, StatusCategory.Failure, $"error: cannot understand ({service})", FailureKind.Permanent),
            0xB0 or 0xB1 or 0xB2 => new DimseStatus(code, StatusCategory.Warning, $"warning ({service})", null),
            0xFF => new DimseStatus(code, StatusCategory.Pending, "pending", null),
            _ => new DimseStatus(code, StatusCategory.Failure, $"failure: unknown status ({service})", FailureKind.Permanent),
        };
    }

    private static StatusCategory CategoryOf(ushort code) => code switch
    {
        0x0000 => StatusCategory.Success,
        0xFF00 or 0xFF01 => StatusCategory.Pending,
        0xFE00 => StatusCategory.Cancel,
        0x0001 or 0x0107 or 0x0116 or >= 0xB000 and <= 0xBFFF => StatusCategory.Warning,
        _ => StatusCategory.Failure,
    };

    private static string ServiceName(CommandField field) => field switch
    {
        CommandField.CStoreResponse => "C-STORE",
        CommandField.CFindResponse => "C-FIND",
        CommandField.CMoveResponse => "C-MOVE",
        CommandField.CGetResponse => "C-GET",
        CommandField.NCreateResponse => "N-CREATE",
        CommandField.NSetResponse => "N-SET",
        CommandField.NActionResponse => "N-ACTION",
        CommandField.NEventReportResponse => "N-EVENT-REPORT",
        _ => field.ToString(),
    };
}
