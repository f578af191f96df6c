namespace CathLab.Video;

/// <summary>libvpx refused a configuration or failed to encode: a setup or programming error, not bad input
/// (a decoder reports bad input through <see cref="DecodeStatus"/> instead).</summary>
public sealed class VideoCodecException(string message) : Exception(message);
