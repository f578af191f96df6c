using CathLab.Dicom.Data;
using CathLab.Dicom.IO;

namespace CathLab.Dicom.Network.Dimse;

/// <summary>Encodes and decodes the data sets DIMSE carries besides images (identifiers, N-service attribute lists) with the core toolkit.</summary>
public static class DataSetCodec
{
    /// <summary>Identifiers and attribute lists are a few KB; a bigger one here is a broken or hostile peer.</summary>
    public const int MaxLength = 16 << 20;

    public static byte[] Encode(DicomDataSet dataSet, string transferSyntaxUid) =>
        DicomDataSetWriter.ToArray(dataSet, DicomTransferSyntax.Get(transferSyntaxUid));

    /// <summary>Decodes a received data set; malformed input raises <see cref="DicomFormatException"/>.</summary>
    public static DicomDataSet Decode(Stream received, string transferSyntaxUid)
    {
        var length = received is DataSetBuffer buffer ? buffer.Received : received.Length - received.Position;
        if (length > MaxLength)
        {
            throw new DicomFormatException($"a {length}-byte data set is far beyond any identifier or attribute list");
        }
        return DicomDataSetReader.Read(received, DicomTransferSyntax.Get(transferSyntaxUid));
    }
}
