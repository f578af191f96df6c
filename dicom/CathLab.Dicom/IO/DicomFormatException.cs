namespace CathLab.Dicom.IO;

/// <summary>Input that is not a well-formed DICOM encoding (truncated, impossible length, bad header, ...).</summary>
public sealed class DicomFormatException : Exception
{
    public DicomFormatException(string message) : base(message) { }
    public DicomFormatException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Byte offset in the input where the problem was seen, when known (-1 otherwise).</summary>
    public long Offset { get; init; } = -1;

    /// <summary>Exceptions that, raised while decoding input, mean the input is malformed rather than the code wrong.</summary>
    internal static bool IsMalformedInput(Exception e) => e is FormatException or OverflowException or ArgumentException
        or InvalidOperationException or KeyNotFoundException or EndOfStreamException or IndexOutOfRangeException or InvalidDataException
        && e is not DicomFormatException && e is not ObjectDisposedException;
}
