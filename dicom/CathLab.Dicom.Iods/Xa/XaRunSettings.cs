using CathLab.Dicom.Uids;
using CathLab.Dicom.IO;

namespace CathLab.Dicom.Iods.Xa;

/// <summary>
/// What is fixed for one recorded run before its first frame: image geometry, programmed rate, technique setting,
/// geometry of the C-arm, contrast and subtraction. What the generator actually delivered comes per frame
/// (<see cref="XaFrameRecord"/>).
/// </summary>
public sealed record XaRunSettings
{
    public required string SopInstanceUid { get; init; }
    public required int InstanceNumber { get; init; }
    public required DateTime AcquisitionStartedAt { get; init; }

    /// <summary>1024 or 512.</summary>
    public int Rows { get; init; } = 1024;

    /// <summary>1024 or 512.</summary>
    public int Columns { get; init; } = 1024;

    /// <summary>Bits the detector delivers, 8 to 16; written as the smallest of 8, 10, 12, 16 (XA's enumerated values) that holds them.</summary>
    public int DetectorBits { get; init; } = 12;

    /// <summary>Programmed frame interval in ms; used as Frame Time when the measured intervals do not say otherwise (one frame).</summary>
    public required double NominalFrameTimeMs { get; init; }

    /// <summary>Intervals within this many ms of their mean count as constant (Frame Time); otherwise Frame Time Vector.</summary>
    public double FrameTimeToleranceMs { get; init; } = 0.5;

    public RadiationSetting RadiationSetting { get; init; } = RadiationSetting.Gr;
    public PixelIntensity PixelIntensity { get; init; } = PixelIntensity.Lin;

    /// <summary>Image intensifier diameter or flat-panel field (mm), Intensifier Size (0018,1162).</summary>
    public double? FieldSizeMm { get; init; }

    /// <summary>ROUND for an image intensifier, RECTANGLE for a flat panel.</summary>
    public string FieldOfViewShape { get; init; } = "RECTANGLE";

    /// <summary>The detector's pixel pitch at its front plane (mm, rows and columns alike), Imager Pixel Spacing
    /// (0018,1164); what a distance measured on the image is calibrated with.</summary>
    public double? ImagerPixelSpacingMm { get; init; }

    public double? DistanceSourceToDetectorMm { get; init; }
    public double? DistanceSourceToPatientMm { get; init; }

    public ContrastInjection? Contrast { get; init; }
    public DsaMask? Mask { get; init; }

    /// <summary>Shared with the RDSR's irradiation event for this run.</summary>
    public required string IrradiationEventUid { get; init; }

    public DicomTransferSyntax TransferSyntax { get; init; } = DicomTransferSyntax.ExplicitVRLittleEndian;

    /// <summary>Frames the header space is reserved for; a longer run is still written, with one extra copy at completion.</summary>
    public int ExpectedMaxFrames { get; init; } = 2048;

    public string? SourceAeTitle { get; init; }

    /// <summary>The detector calibration the frames were corrected with: Date/Time of Last Calibration (0018,1200/1201,
    /// General Equipment) and Acquisition Device Processing Description (0018,1400, X-Ray Image).</summary>
    public XaDetectorCalibration? Calibration { get; init; }

    internal int BitsStored => DetectorBits switch
    {
        8 => 8,
        9 or 10 => 10,
        11 or 12 => 12,
        >= 13 and <= 16 => 16,
        _ => throw new ArgumentException($"detector bits {DetectorBits} outside 8..16"),
    };

    internal int BitsAllocated => BitsStored == 8 ? 8 : 16;

    internal void Validate()
    {
        if (Rows is not (512 or 1024) || Columns is not (512 or 1024)) throw new ArgumentException($"frames are 512 or 1024 square, not {Rows}x{Columns}");
        _ = BitsStored;
        if (!(NominalFrameTimeMs > 0) || NominalFrameTimeMs > 60_000) throw new ArgumentException($"nominal frame time {NominalFrameTimeMs} ms is not in (0, 60000]");
        if (FrameTimeToleranceMs < 0) throw new ArgumentException("frame time tolerance must not be negative");
        if (InstanceNumber < 0) throw new ArgumentException("instance number must not be negative");
        if (TransferSyntax.IsDeflated || (TransferSyntax.IsEncapsulated && TransferSyntax.Uid is not (DicomUids.RleLossless or DicomUids.JpegLsLossless)))
            throw new ArgumentException($"{TransferSyntax.Name} is not written by the recorder (native, RLE or JPEG-LS lossless only)");
        if (FieldOfViewShape is not ("ROUND" or "RECTANGLE")) throw new ArgumentException("field of view shape is ROUND or RECTANGLE");
        if (Mask is { } m)
        {
            if (m.MaskFrameNumbers.Count == 0) throw new ArgumentException("a DSA mask needs at least one mask frame");
            if (m.MaskFrameNumbers.Any(n => n < 1)) throw new ArgumentException("mask frame numbers are 1-based");
            if (m.ApplicableFrames is { } r && (r.First < 1 || r.Last < r.First)) throw new ArgumentException($"applicable frame range {r.First}-{r.Last} is empty");
        }
        if (ImagerPixelSpacingMm is { } pitch && !(pitch > 0 && pitch < 10)) throw new ArgumentException($"imager pixel spacing {pitch} mm is not in (0, 10)");
        if (ExpectedMaxFrames < 1) throw new ArgumentException("expected max frames must be positive");
    }
}

/// <summary>When the detector was last calibrated (null: never) and what was done to the frames (at most 64 characters, LO).</summary>
public sealed record XaDetectorCalibration(DateTime? CalibratedAt, string ProcessingDescription);
