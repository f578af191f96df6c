using CathLab.Dicom.Files;

namespace CathLab.Dicom.Network.Part10;

/// <summary>What the network layer needs from a Part 10 file's meta header, and where its data set starts.</summary>
public sealed record Part10Meta(string SopClassUid, string SopInstanceUid, string TransferSyntaxUid, long DataSetOffset)
{
    /// <summary>Reads only the file meta information (via the core's <see cref="DicomPart10"/>) so the data set can be streamed untouched.</summary>
    public static Part10Meta Read(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 4096);
        var meta = DicomPart10.ReadHeader(file);
        return new Part10Meta(meta.MediaStorageSopClassUid, meta.MediaStorageSopInstanceUid, meta.TransferSyntaxUid, file.Position);
    }

    /// <summary>Writes preamble, "DICM" and the meta group for a data set received over the network.</summary>
    public static void WriteHeader(Stream output, string sopClassUid, string sopInstanceUid, string transferSyntaxUid, string sourceAeTitle) =>
        DicomPart10.WriteHeader(output, new DicomFileMetaInformation
        {
            MediaStorageSopClassUid = sopClassUid,
            MediaStorageSopInstanceUid = sopInstanceUid,
            TransferSyntaxUid = transferSyntaxUid,
            ImplementationClassUid = Association.Implementation.ClassUid,
            ImplementationVersionName = Association.Implementation.VersionName,
            SourceApplicationEntityTitle = sourceAeTitle,
        });
}
