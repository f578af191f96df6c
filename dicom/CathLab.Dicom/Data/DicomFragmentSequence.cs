namespace CathLab.Dicom.Data;

/// <summary>
/// Encapsulated pixel data (PS3.5 A.4): a Basic Offset Table and the fragments that follow it,
/// held in memory. For large objects use <see cref="Files.DicomFileReader"/>, which reads fragments from disk.
/// </summary>
public sealed class DicomFragmentSequence(DicomTag tag, DicomVR vr = DicomVR.OB) : DicomElement(tag, vr)
{
    /// <summary>Offsets of each frame's first fragment, from the first byte of the first fragment's item tag; empty when absent.</summary>
    public List<uint> OffsetTable { get; } = [];

    public List<ReadOnlyMemory<byte>> Fragments { get; } = [];

    public override string ToString() => $"{base.ToString()} ({Fragments.Count} fragments)";
}
