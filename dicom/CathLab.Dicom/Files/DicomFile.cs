using CathLab.Dicom.Codecs;
using CathLab.Dicom.Data;
using CathLab.Dicom.IO;

namespace CathLab.Dicom.Files;

/// <summary>
/// A Part 10 file held in memory: File Meta Information and data set. Suits small objects (SR, worklist
/// items, single frames); for multi-frame cine use <see cref="DicomMultiFrameWriter"/> and <see cref="DicomFileReader"/>.
/// </summary>
public sealed class DicomFile(DicomFileMetaInformation meta, DicomDataSet dataSet)
{
    public DicomFileMetaInformation Meta { get; } = meta;
    public DicomDataSet DataSet { get; } = dataSet;
    public DicomTransferSyntax TransferSyntax => Meta.TransferSyntax;

    /// <summary>A file for a data set, meta information from its SOP Class/Instance UIDs.</summary>
    public DicomFile(DicomDataSet dataSet, DicomTransferSyntax syntax, string? sourceAeTitle = null)
        : this(DicomFileMetaInformation.For(dataSet, syntax, sourceAeTitle), dataSet) { }

    public static DicomFile Open(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024);
        return Read(stream);
    }

    public static DicomFile Read(Stream input)
    {
        var meta = DicomPart10.ReadHeader(input);
        var dataSet = DicomDataSetReader.Read(input, meta.TransferSyntax);
        return new DicomFile(meta, dataSet);
    }

    public void Save(string path, DicomWriteOptions? options = null)
    {
        using (var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024))
        {
            Write(stream, options);
            stream.Flush(flushToDisk: true);
        }
    }

    public void Write(Stream output, DicomWriteOptions? options = null)
    {
        CheckPixelDataMatchesSyntax();
        DicomPart10.WriteHeader(output, Meta);
        DicomDataSetWriter.Write(output, DataSet, TransferSyntax, options);
    }

    /// <summary>
    /// The same object in another transfer syntax: native pixel data is encoded, and encapsulated pixel data the toolkit
    /// has a codec for (RLE, JPEG-LS) decoded, frame by frame; other encapsulated pixel data can only stay in its own syntax.
    /// </summary>
    public DicomFile ChangeTransferSyntax(DicomTransferSyntax target)
    {
        var ds = DataSet.Clone();
        var source = TransferSyntax;
        if (ds.TryGet(DicomTag.PixelData, out var pixels) && source.Uid != target.Uid && (source.IsEncapsulated || target.IsEncapsulated))
        {
            var format = DicomFrameFormat.FromDataSet(ds);
            var frames = ds.GetIntOrDefault(DicomTagsCore.NumberOfFrames, 1);
            if (pixels is DicomFragmentSequence fragments)
            {
                var decoder = DicomFrameCodecs.Find(source) ?? throw new NotSupportedException($"no codec from {source.Name} to {target.Name}");
                pixels = PixelDataFrames.Decode(decoder, fragments, format, frames);
            }
            if (target.IsEncapsulated)
            {
                var encoder = DicomFrameCodecs.Find(target) ?? throw new NotSupportedException($"no codec from {source.Name} to {target.Name}");
                pixels = PixelDataFrames.Encode(encoder, (DicomBinaryElement)pixels, format, frames);
            }
            ds.Add(pixels);
        }
        return new DicomFile(Meta with { TransferSyntaxUid = target.Uid }, ds);
    }

    private void CheckPixelDataMatchesSyntax()
    {
        if (!DataSet.TryGet(DicomTag.PixelData, out var pixels)) return;
        if (TransferSyntax.IsEncapsulated && pixels is not DicomFragmentSequence)
            throw new InvalidOperationException($"{TransferSyntax.Name} needs encapsulated pixel data; call ChangeTransferSyntax");
        if (!TransferSyntax.IsEncapsulated && pixels is DicomFragmentSequence)
            throw new InvalidOperationException($"{TransferSyntax.Name} needs native pixel data; call ChangeTransferSyntax");
    }
}
