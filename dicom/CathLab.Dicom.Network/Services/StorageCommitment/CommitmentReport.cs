namespace CathLab.Dicom.Network.Services.StorageCommitment;

/// <summary>The outcome of a storage commitment transaction as the N-EVENT-REPORT told it.</summary>
public sealed record CommitmentReport(string TransactionUid, IReadOnlyList<SopReference> Committed, IReadOnlyList<SopReference> Failed, bool ArrivedOnSameAssociation)
{
    public bool AllCommitted => Failed.Count == 0;

    /// <summary>PS3.4 §J.3.3.1.1 failure reasons. Resource limitation and processing failure may pass if retried.</summary>
    public static string DescribeFailure(ushort reason) => reason switch
    {
        0x0110 => "processing failure",
        0x0112 => "no such object instance",
        0x0213 => "resource limitation",
        0x0122 => "referenced SOP class not supported",
        0x0119 => "class / instance conflict",
        0x0131 => "duplicate transaction UID",
        _ => $"failure reason {reason:X4}",
    };
}
