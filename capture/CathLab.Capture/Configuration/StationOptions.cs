using CathLab.Dicom.IO;

namespace CathLab.Capture.Configuration;

/// <summary>The station's configuration (section "Station" of appsettings.json, environment variables
/// Station__..., or --Station:... on the command line). Every value is checked at start by <see cref="StationOptionsValidator"/>.</summary>
public sealed class StationOptions
{
    public const string Section = "Station";

    /// <summary>The station's own DICOM application entity title (1–16 characters of the default repertoire, no backslash).</summary>
    public string AeTitle { get; set; } = "CATHLAB";
    public string StationName { get; set; } = "CATHLAB-1";
    public GeneratorOptions Generator { get; set; } = new();
    public ExposureOptions Exposure { get; set; } = new();
    public DetectorOptions Detector { get; set; } = new();
    public ArchiveOptions Archive { get; set; } = new();
    public ProcessingOptions Processing { get; set; } = new();
    public CalibrationOptions Calibration { get; set; } = new();
    public List<PacsPeerOptions> Pacs { get; set; } = [];

    /// <summary>The Modality Worklist provider (C-FIND); none configured: exams are started by hand.</summary>
    public DicomPeerOptions Worklist { get; set; } = new();

    /// <summary>The receiver of Modality Performed Procedure Steps (N-CREATE / N-SET); none configured: no MPPS is sent.</summary>
    public DicomPeerOptions Mpps { get; set; } = new();

    /// <summary>Port of the station's own DICOM listener on all interfaces, where a PACS opens the association that
    /// carries its storage commitment report (N-EVENT-REPORT). Used when a PACS with storage commitment is configured.</summary>
    public int DicomPort { get; set; } = 11112;

    /// <summary>How long the station waits for a PACS's storage commitment report before it asks again (a PACS that
    /// restarted after the request never answers it).</summary>
    public int CommitmentTimeoutSeconds { get; set; } = 600;
    public List<TokenOptions> Tokens { get; set; } = [];

    /// <summary>The site's own acquisition protocols (free settings within the generator's limits), offered after the
    /// built-in ones; a name already built in replaces that one.</summary>
    public List<ProtocolOptions> Protocols { get; set; } = [];

    /// <summary>Frame buffers allocated at start (2 MiB each at 1024×1024).</summary>
    public int FramePoolSize { get; set; } = 96;

    /// <summary>Frames the recorder may fall behind by before a run fails; at 60 fps, 64 frames is about a second.</summary>
    public int RecorderQueueFrames { get; set; } = 64;

    /// <summary>How long the recorder waits for the generator's report of a frame's pulse before the run fails.</summary>
    public int RecorderPulseReportWaitMs { get; set; } = 500;

    /// <summary>How runs are written: RleLossless (encapsulated, lossless, no size bound) or ExplicitVRLittleEndian
    /// (uncompressed; a run then holds at most 4 GiB of pixel data, 2047 frames at 1024×1024, and the station ends the
    /// exposure there).</summary>
    public string RecorderTransferSyntax { get; set; } = RecorderTransferSyntaxes.RleLossless;

    /// <summary>Space kept free on the spool's file system: a run is ended before it would take it.</summary>
    public int SpoolReserveMiB { get; set; } = 256;

    /// <summary>gRPC endpoint (control API and live feed). Plain http:// is HTTP/2 without TLS (h2c); https:// offers HTTP/1.1 and HTTP/2.</summary>
    public string ListenUrl { get; set; } = "http://127.0.0.1:5700";

    /// <summary>HTTP/1.1 endpoint for the browser viewer (/live) and the health check (/health).</summary>
    public string WebUrl { get; set; } = "http://127.0.0.1:5701";

    /// <summary>Fluoro kept in memory for "save the last N seconds of fluoro" (at up to 15 pulses/s).</summary>
    public double FluoroStoreSeconds { get; set; } = 10;

    /// <summary>Where the live feed's audit trail (who watched which exam, when, for how long) is appended, as JSON lines.</summary>
    public string AuditPath { get; set; } = "audit.jsonl";
}

public sealed class GeneratorOptions
{
    /// <summary>The serial device of the X-ray generator (e.g. /dev/ttyS0, /dev/ttyUSB0, a pty).</summary>
    public string SerialPort { get; set; } = "";
    public int BaudRate { get; set; } = 115200;

    /// <summary>How long the station waits for the generator's answer before sending a command again.</summary>
    public int AnswerTimeoutMs { get; set; } = 40;

    /// <summary>How often a command is sent again before the link is declared down (and emission stops).</summary>
    public int MaxRetries { get; set; } = 5;
}

/// <summary>Exposure control: the held pedal's lease and the longest one press may hold fluoro.</summary>
public sealed class ExposureOptions
{
    /// <summary>A held pedal stream (console, browser) is released when no renewal arrives for this long.</summary>
    public int PedalLeaseMs { get; set; } = 300;

    /// <summary>Fluoro held longer than this by one press is stopped by the station; the operator presses again.</summary>
    public double MaxFluoroHoldSeconds { get; set; } = 120;

    /// <summary>A hardware foot switch box on a serial line; off unless its port is set.</summary>
    public FootSwitchOptions FootSwitch { get; set; } = new();
}

/// <summary>The foot-switch box (docs/firmware-bridge.md, "Hardware foot switch").</summary>
public sealed class FootSwitchOptions
{
    /// <summary>The box's serial device (e.g. /dev/ttyUSB1); null or empty: no foot switch.</summary>
    public string? Port { get; set; }

    public int BaudRate { get; set; } = 9600;

    /// <summary>A pressed level not refreshed for this long releases the pedal (the box sends every 20 ms).</summary>
    public int StaleMs { get; set; } = 100;

    public bool Enabled => !string.IsNullOrWhiteSpace(Port);
}

public sealed class DetectorOptions
{
    /// <summary>"FrameLink" (the detector's TCP frame link) or "VideoCapture" (a V4L2 capture card or a video file).</summary>
    public string Source { get; set; } = "FrameLink";
    public string Host { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 5600;

    /// <summary>For VideoCapture: a device path such as /dev/video0, or a video file.</summary>
    public string Device { get; set; } = "";

    /// <summary>Frame side in pixels: 1024 (full readout) or 512 (binned).</summary>
    public int Size { get; set; } = 1024;

    /// <summary>Bits stored per pixel (in 16-bit pixels); an 8-bit analogue camera behind a capture card gives 8.</summary>
    public int BitsStored { get; set; } = 14;
}

/// <summary>One acquisition protocol of the site: a kind, one or more phases at their pulse rates, and for DSA the mask frames.</summary>
public sealed class ProtocolOptions
{
    public string Name { get; set; } = "";
    public string Description { get; set; } = "";

    /// <summary>"Fluoro" (live, not recorded), "Cine" (a recorded run) or "Dsa" (a recorded subtracted run).</summary>
    public string Kind { get; set; } = "Cine";

    public List<ProtocolPhaseOptions> Phases { get; set; } = [];
    public int MaskFrames { get; set; }

    /// <summary>Body Part Examined of the run's series (PS3.16 CID 4031), e.g. HEART, HEAD, EXTREMITY.</summary>
    public string BodyPart { get; set; } = "HEART";
}

public sealed class ProtocolPhaseOptions
{
    public string Name { get; set; } = "run";
    public double PulseRate { get; set; }

    /// <summary>Seconds; 0 for the last phase, which lasts while the pedal is held.</summary>
    public double Seconds { get; set; }
}

public sealed class ProcessingOptions
{
    /// <summary>"Cpu" (SIMD, the default), "OpenCl" (a GPU; fails at start without one) or "Auto" (OpenCL when a platform
    /// is present). PoCL, the OpenCL that runs on the CPU, competes with the serial link and the recorder for the
    /// acquisition computer's two cores, so Auto is for machines with a GPU.</summary>
    public string Backend { get; set; } = "Cpu";

    /// <summary>Threads of the CPU path; one leaves the other core to acquisition, the recorder and the generator link.</summary>
    public int CpuThreads { get; set; } = 1;

    /// <summary>OpenCL: row bands each frame's upload and download are split into, so that transfers overlap the
    /// kernels; 1 transfers whole frames. 4 suits a GPU on PCIe.</summary>
    public int TransferBands { get; set; } = 4;
}

public sealed class ArchiveOptions
{
    /// <summary>Where the embedded archive keeps what it receives when no PACS is configured.</summary>
    public string Folder { get; set; } = "archive";

    /// <summary>Where runs are written while they are acquired, before they are offered to any peer.</summary>
    public string SpoolFolder { get; set; } = "spool";
    public string AeTitle { get; set; } = "CATHLAB_ARCH";

    /// <summary>Port of the embedded storage SCP on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>The calling AE titles the embedded archive accepts associations from; empty accepts any caller on this
    /// computer. When set it must name Station:AeTitle, which the station's own publishing calls with.</summary>
    public List<string> AllowedCallingAeTitles { get; set; } = [];
}

/// <summary>A DICOM peer; an empty AE title means none is configured.</summary>
public sealed class DicomPeerOptions
{
    public string AeTitle { get; set; } = "";
    public string Host { get; set; } = "";
    public int Port { get; set; } = 104;

    public bool Configured => AeTitle.Length > 0;
}

public sealed class PacsPeerOptions
{
    /// <summary>Ask this PACS to commit every object it stored (N-ACTION); a file leaves the station only once committed.</summary>
    public bool StorageCommitment { get; set; } = true;

    public string AeTitle { get; set; } = "";
    public string Host { get; set; } = "";
    public int Port { get; set; } = 104;
    public bool Tls { get; set; }
}

public sealed class TokenOptions
{
    /// <summary>Who holds the token, for the audit trail.</summary>
    public string Holder { get; set; } = "";

    /// <summary>SHA-256 of the token, hex; the token itself is never stored.</summary>
    public string Sha256 { get; set; } = "";

    /// <summary>"technician" (may control the station) or "observer" (may only watch).</summary>
    public string Role { get; set; } = "observer";

    /// <summary>The exams an observer may watch, by exam id; empty (the default) or "*" is every exam of this station.</summary>
    public List<string> Exams { get; set; } = [];
}

/// <summary>The transfer syntaxes the recorder writes, by their configuration names.</summary>
public static class RecorderTransferSyntaxes
{
    public const string RleLossless = "RleLossless";
    public const string ExplicitVRLittleEndian = "ExplicitVRLittleEndian";

    public static DicomTransferSyntax? Find(string name) => name switch
    {
        RleLossless => DicomTransferSyntax.RleLossless,
        ExplicitVRLittleEndian => DicomTransferSyntax.ExplicitVRLittleEndian,
        _ => null,
    };
}
