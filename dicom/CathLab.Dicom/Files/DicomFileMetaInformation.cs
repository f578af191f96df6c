using CathLab.Dicom.Data;
using CathLab.Dicom.IO;
using CathLab.Dicom.Uids;

namespace CathLab.Dicom.Files;

/// <summary>The File Meta Information (group 0002) of a Part 10 file (PS3.10 7.1).</summary>
public sealed record DicomFileMetaInformation
{
    public static readonly DicomTag GroupLength = new(0x0002, 0x0000);
    public static readonly DicomTag FileMetaInformationVersion = new(0x0002, 0x0001);
    public static readonly DicomTag MediaStorageSopClassUidTag = new(0x0002, 0x0002);
    public static readonly DicomTag MediaStorageSopInstanceUidTag = new(0x0002, 0x0003);
    public static readonly DicomTag TransferSyntaxUidTag = new(0x0002, 0x0010);
    public static readonly DicomTag ImplementationClassUidTag = new(0x0002, 0x0012);
    public static readonly DicomTag ImplementationVersionNameTag = new(0x0002, 0x0013);
    public static readonly DicomTag SourceApplicationEntityTitleTag = new(0x0002, 0x0016);

    private static readonly DicomTag SopClassUid = new(0x0008, 0x0016);
    private static readonly DicomTag SopInstanceUid = new(0x0008, 0x0018);

    public required string MediaStorageSopClassUid { get; init; }
    public required string MediaStorageSopInstanceUid { get; init; }
    public required string TransferSyntaxUid { get; init; }
    public string ImplementationClassUid { get; init; } = DicomUids.ImplementationClassUid;
    public string? ImplementationVersionName { get; init; } = DicomUids.ImplementationVersionName;
    public string? SourceApplicationEntityTitle { get; init; }

    public DicomTransferSyntax TransferSyntax => DicomTransferSyntax.Get(TransferSyntaxUid);

    /// <summary>Meta information for a data set: SOP Class and Instance UIDs from (0008,0016) and (0008,0018).</summary>
    public static DicomFileMetaInformation For(DicomDataSet dataSet, DicomTransferSyntax syntax, string? sourceAeTitle = null) => new()
    {
        MediaStorageSopClassUid = dataSet.GetString(SopClassUid),
        MediaStorageSopInstanceUid = dataSet.GetString(SopInstanceUid),
        TransferSyntaxUid = syntax.Uid,
        SourceApplicationEntityTitle = sourceAeTitle,
    };

    /// <summary>The group 0002 elements, without the group length (the writer computes it).</summary>
    public DicomDataSet ToDataSet()
    {
        var ds = new DicomDataSet();
        ds.SetBytes(FileMetaInformationVersion, DicomVR.OB, new byte[] { 0, 1 });
        ds.SetString(MediaStorageSopClassUidTag, DicomVR.UI, MediaStorageSopClassUid);
        ds.SetString(MediaStorageSopInstanceUidTag, DicomVR.UI, MediaStorageSopInstanceUid);
        ds.SetString(TransferSyntaxUidTag, DicomVR.UI, TransferSyntaxUid);
        ds.SetString(ImplementationClassUidTag, DicomVR.UI, ImplementationClassUid);
        if (!string.IsNullOrEmpty(ImplementationVersionName)) ds.SetString(ImplementationVersionNameTag, DicomVR.SH, ImplementationVersionName);
        if (!string.IsNullOrEmpty(SourceApplicationEntityTitle)) ds.SetString(SourceApplicationEntityTitleTag, DicomVR.AE, SourceApplicationEntityTitle);
        return ds;
    }

    public static DicomFileMetaInformation FromDataSet(DicomDataSet meta)
    {
        string Required(DicomTag tag) => meta.Contains(tag) ? meta.GetString(tag)
            : throw new DicomFormatException($"File Meta Information lacks {tag}");
        return new DicomFileMetaInformation
        {
            MediaStorageSopClassUid = meta.GetStringOrDefault(MediaStorageSopClassUidTag, "")!,
            MediaStorageSopInstanceUid = meta.GetStringOrDefault(MediaStorageSopInstanceUidTag, "")!,
            TransferSyntaxUid = Required(TransferSyntaxUidTag),
            ImplementationClassUid = meta.GetStringOrDefault(ImplementationClassUidTag, "")!,
            ImplementationVersionName = meta.GetStringOrDefault(ImplementationVersionNameTag),
            SourceApplicationEntityTitle = meta.GetStringOrDefault(SourceApplicationEntityTitleTag),
        };
    }
}
