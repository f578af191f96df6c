using CathLab.Dicom.Data;
using CathLab.Dicom.Dictionary;
using CathLab.Dicom.IO;

namespace CathLab.Dicom.Network.Services.StorageCommitment;

/// <summary>The Storage Commitment Push Model data sets: the N-ACTION request and the N-EVENT-REPORT (PS3.4 §J.3.2, §J.3.3).</summary>
public static class CommitmentCodec
{
    public const ushort RequestActionTypeId = 1;
    public const ushort AllCommittedEventTypeId = 1;
    public const ushort FailuresExistEventTypeId = 2;

    public static DicomDataSet Request(string transactionUid, IEnumerable<SopReference> references)
    {
        var set = new DicomDataSet().SetString(DicomTags.TransactionUID, transactionUid);
        set.SetSequence(DicomTags.ReferencedSOPSequence, [.. references.Select(Item)]);
        return set;
    }

    public static DicomDataSet Report(string transactionUid, IEnumerable<SopReference> committed, IEnumerable<SopReference> failed)
    {
        var set = new DicomDataSet().SetString(DicomTags.TransactionUID, transactionUid);
        set.SetSequence(DicomTags.ReferencedSOPSequence, [.. committed.Select(Item)]);
        var failures = failed.Select(f => Item(f).SetUInt16(DicomTags.FailureReason, f.FailureReason ?? 0x0110)).ToArray();
        if (failures.Length > 0)
        {
            set.SetSequence(DicomTags.FailedSOPSequence, failures);
        }
        return set;
    }

    public static CommitmentReport ParseReport(DicomDataSet report, bool sameAssociation)
    {
        var transaction = report.GetStringOrDefault(DicomTags.TransactionUID)
            ?? throw new DicomFormatException("storage commitment report has no Transaction UID");
        return new CommitmentReport(transaction, References(report, DicomTags.ReferencedSOPSequence), References(report, DicomTags.FailedSOPSequence), sameAssociation);
    }

    private static DicomDataSet Item(SopReference r) => new DicomDataSet()
        .SetString(DicomTags.ReferencedSOPClassUID, r.SopClassUid)
        .SetString(DicomTags.ReferencedSOPInstanceUID, r.SopInstanceUid);

    private static List<SopReference> References(DicomDataSet report, DicomTag sequence) =>
        report.TryGetSequence(sequence, out var items)
            ? [.. items.Items.Select(item => new SopReference(
                item.GetStringOrDefault(DicomTags.ReferencedSOPClassUID) ?? "",
                item.GetStringOrDefault(DicomTags.ReferencedSOPInstanceUID) ?? "",
                item.Contains(DicomTags.FailureReason) ? item.GetUInt16(DicomTags.FailureReason) : null))]
            : [];
}
