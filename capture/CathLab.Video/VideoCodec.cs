namespace CathLab.Video;

/// <summary>The inter-frame codecs this project binds; both decode in browsers through WebCodecs.</summary>
public enum VideoCodec
{
    Vp8,
    Vp9,
}

/// <summary>How the encoder spends its bitrate.</summary>
public enum RateControl
{
    /// <summary>Constant bitrate: frame sizes held close to the target, for a link of known capacity.</summary>
    Constant,

    /// <summary>Variable bitrate: the target is an average; still scenes cost less.</summary>
    Variable,
}
