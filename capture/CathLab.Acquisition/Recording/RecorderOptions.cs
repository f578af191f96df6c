using CathLab.Dicom.IO;

namespace CathLab.Acquisition.Recording;

/// <summary>How the recorder writes runs: into <see cref="SpoolFolder"/> (one "&lt;SOP instance UID&gt;.dcm" per run,
/// "….dcm.partial" while it is written), and how long it waits for what arrives late.</summary>
public sealed record RecorderOptions(string SpoolFolder)
{
    /// <summary>How long a frame waits for its pulse report before the run fails. The serial link retries a damaged
    /// frame 5 times at 40 ms, so a report can trail its frame by about 200 ms on a bad line; half a second covers that
    /// with room for scheduling, and at 60 fps the recorder's queue (about a second) absorbs the pause.</summary>
    public TimeSpan PulseReportWait { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long <see cref="RunRecorder.EndAsync"/> waits for the frames still queued to reach the disk.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Explicit VR Little Endian (uncompressed, at most 4 GiB of pixel data per run) or RLE Lossless
    /// (encapsulated, one fragment per frame, no size bound).</summary>
    public DicomTransferSyntax TransferSyntax { get; init; } = DicomTransferSyntax.ExplicitVRLittleEndian;

    /// <summary>Runs whose pulse rate is above this are written in <see cref="FastRunTransferSyntax"/> instead: a
    /// JPEG-LS frame of 1024² costs 24–30 ms on one core (bench/RESULTS.md, lossless compression), so a faster run
    /// would outpace the recorder; RLE costs a few ms. None by default.</summary>
    public double FastRunAboveRate { get; init; } = double.PositiveInfinity;

    public DicomTransferSyntax FastRunTransferSyntax { get; init; } = DicomTransferSyntax.RleLossless;

    /// <summary>The syntax a run at <paramref name="pulseRate"/> pulses/s is written in.</summary>
    public DicomTransferSyntax SyntaxFor(double pulseRate) => pulseRate > FastRunAboveRate ? FastRunTransferSyntax : TransferSyntax;

    /// <summary>Space left free on the spool's file system: a run is ended before it would take this.</summary>
    public long SpoolReserveBytes { get; init; } = 256L << 20;
    public string? SourceAeTitle { get; init; }

    /// <summary>Frames the object's header space is reserved for (a longer run costs one copy at completion).</summary>
    public int ExpectedMaxFrames { get; init; } = 2048;

    /// <summary>The detector's Imager Pixel Spacing (mm) written into every run; null: not known.</summary>
    public double? ImagerPixelSpacingMm { get; init; }

    /// <summary>The clock of the objects' acquisition times (the station's, from its container).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
