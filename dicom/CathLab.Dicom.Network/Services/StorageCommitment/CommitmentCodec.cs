using CathLab.Dicom.Network.Attributes;

namespace CathLab.Dicom.Network.Services.StorageCommitment;

/// <summary>The Storage Commitment Push Model data sets: the N-ACTION request and the N-EVENT-REPORT (PS3.4 §J.3.2, §J.3.3).</summary>
public static class CommitmentCodec
{
    public const ushort RequestActionTypeId = 1;
    public const ushort AllCommittedEventTypeId = 1;
    public const ushort FailuresExistEventTypeId = 2;

    public static AttributeSet Request(string transactionUid, IEnumerable<SopReference> references) =>
        new AttributeSet()
            .Set(AttributeTags.TransactionUid, "UI", transactionUid)
            .SetSequence(AttributeTags.ReferencedSopSequence, [.. references.Select(Item)]);

    public static AttributeSet Report(string transactionUid, IEnumerable<SopReference> committed, IEnumerable<SopReference> failed)
    {
        var set = new AttributeSet()
            .Set(AttributeTags.TransactionUid, "UI", transactionUid)
            .SetSequence(AttributeTags.ReferencedSopSequence, [.. committed.Select(Item)]);
        var failures = failed.Select(f => Item(f).SetUInt16(AttributeTags.FailureReason, f.FailureReason ?? 0x0110)).ToArray();
        return failures.Length > 0 ? set.SetSequence(AttributeTags.FailedSopSequence, failures) : set;
    }

    public static CommitmentReport ParseReport(AttributeSet report, bool sameAssociation)
    {
        var transaction = report.GetString(AttributeTags.TransactionUid)
            ?? throw new InvalidDataException("storage commitment report has no Transaction UID");
        return new CommitmentReport(transaction,
            [.. report.GetSequence(AttributeTags.ReferencedSopSequence).Select(Reference)],
            [.. report.GetSequence(AttributeTags.FailedSopSequence).Select(Reference)],
            sameAssociation);
    }

    private static AttributeSet Item(SopReference r) => new AttributeSet()
        .Set(AttributeTags.ReferencedSopClassUid, "UI", r.SopClassUid)
        .Set(AttributeTags.ReferencedSopInstanceUid, "UI", r.SopInstanceUid);

    private static SopReference Reference(AttributeSet item) => new(
        item.GetString(AttributeTags.ReferencedSopClassUid) ?? "",
        item.GetString(AttributeTags.ReferencedSopInstanceUid) ?? "",
        item.GetUInt16(AttributeTags.FailureReason));
}
