using CathLab.FirmwareBridge.Exposure;
using CathLab.Processing.Pipeline;

namespace CathLab.Capture.Configuration;

/// <summary>Checks every configuration value before anything starts, and says what is wrong in words a person can act on.</summary>
public static class StationOptionsValidator
{
    public static IReadOnlyList<string> Problems(StationOptions options)
    {
        var problems = new List<string>();
        void Check(bool ok, string problem)
        {
            if (!ok) problems.Add(problem);
        }

        Check(IsAeTitle(options.AeTitle), $"Station:AeTitle '{options.AeTitle}' must be 1–16 printable ASCII characters without backslash");
        Check(!string.IsNullOrWhiteSpace(options.StationName), "Station:StationName must not be empty");
        Check(!string.IsNullOrWhiteSpace(options.Generator.SerialPort), "Station:Generator:SerialPort is required (e.g. /dev/ttyS0, or a socat pty for the simulator)");
        Check(options.Generator.BaudRate is 9600 or 19200 or 38400 or 57600 or 115200 or 230400 or 460800 or 921600,
            $"Station:Generator:BaudRate {options.Generator.BaudRate} is not a standard rate (9600 … 921600)");
        Check(options.Generator.AnswerTimeoutMs is >= 5 and <= 2000, $"Station:Generator:AnswerTimeoutMs {options.Generator.AnswerTimeoutMs} must be 5–2000");
        Check(options.Generator.MaxRetries is >= 1 and <= 20, $"Station:Generator:MaxRetries {options.Generator.MaxRetries} must be 1–20");
        Check(options.Exposure.PedalLeaseMs is >= 100 and <= 2000, $"Station:Exposure:PedalLeaseMs {options.Exposure.PedalLeaseMs} must be 100–2000");
        Check(options.Exposure.MaxFluoroHoldSeconds is >= ExposureControlOptions.MinFluoroHoldSeconds and <= ExposureControlOptions.MaxFluoroHoldSeconds,
            $"Station:Exposure:MaxFluoroHoldSeconds {options.Exposure.MaxFluoroHoldSeconds} must be {ExposureControlOptions.MinFluoroHoldSeconds}–{ExposureControlOptions.MaxFluoroHoldSeconds}");
        if (options.Exposure.FootSwitch.Enabled)
        {
            Check(options.Exposure.FootSwitch.BaudRate is 1200 or 2400 or 4800 or 9600 or 19200 or 38400 or 57600 or 115200,
                $"Station:Exposure:FootSwitch:BaudRate {options.Exposure.FootSwitch.BaudRate} is not a standard rate (1200 … 115200)");
            Check(options.Exposure.FootSwitch.StaleMs is >= 40 and <= 1000, $"Station:Exposure:FootSwitch:StaleMs {options.Exposure.FootSwitch.StaleMs} must be 40–1000");
        }
        Check(options.Detector.Source is "FrameLink" or "VideoCapture", $"Station:Detector:Source '{options.Detector.Source}' must be FrameLink or VideoCapture");
        if (options.Detector.Source == "FrameLink")
        {
            Check(!string.IsNullOrWhiteSpace(options.Detector.Host), "Station:Detector:Host is required for the frame link");
            Check(options.Detector.Port is > 0 and <= 65535, $"Station:Detector:Port {options.Detector.Port} must be 1–65535");
        }
        else if (options.Detector.Source == "VideoCapture")
        {
            Check(!string.IsNullOrWhiteSpace(options.Detector.Device), "Station:Detector:Device is required for VideoCapture (e.g. /dev/video0)");
        }
        Check(options.Detector.Size is 512 or 1024, $"Station:Detector:Size {options.Detector.Size} must be 1024 or 512");
        Check(options.Detector.BitsStored is >= 8 and <= 16, $"Station:Detector:BitsStored {options.Detector.BitsStored} must be 8–16");
        Check(options.Processing.Backend is "Cpu" or "OpenCl" or "Auto", $"Station:Processing:Backend '{options.Processing.Backend}' must be Cpu, OpenCl or Auto");
        Check(options.Processing.CpuThreads is >= 1 and <= 64, $"Station:Processing:CpuThreads {options.Processing.CpuThreads} must be 1–64");
        Check(options.Processing.TransferBands is >= 1 and <= PipelineOptions.MaxTransferBands, $"Station:Processing:TransferBands {options.Processing.TransferBands} must be 1–{PipelineOptions.MaxTransferBands}");
        problems.AddRange(options.Calibration.Problems());
        Check(!string.IsNullOrWhiteSpace(options.Archive.Folder), "Station:Archive:Folder must not be empty");
        Check(!string.IsNullOrWhiteSpace(options.Archive.SpoolFolder), "Station:Archive:SpoolFolder must not be empty");
        Check(IsAeTitle(options.Archive.AeTitle), $"Station:Archive:AeTitle '{options.Archive.AeTitle}' must be 1–16 printable ASCII characters without backslash");
        Check(options.Archive.Port is >= 0 and <= 65535, $"Station:Archive:Port {options.Archive.Port} must be 0–65535");
        var callers = options.Archive.AllowedCallingAeTitles;
        for (int i = 0; i < callers.Count; i++)
        {
            Check(IsAeTitle(callers[i]), $"Station:Archive:AllowedCallingAeTitles:{i} '{callers[i]}' must be 1–16 printable ASCII characters without backslash");
        }
        Check(callers.Count == 0 || callers.Contains(options.AeTitle),
            $"Station:Archive:AllowedCallingAeTitles must include Station:AeTitle '{options.AeTitle}': the station's own publishing calls the archive with it");
        for (int i = 0; i < options.Pacs.Count; i++)
        {
            var peer = options.Pacs[i];
            Check(IsAeTitle(peer.AeTitle), $"Station:Pacs:{i}:AeTitle '{peer.AeTitle}' must be 1–16 printable ASCII characters without backslash");
            Check(!string.IsNullOrWhiteSpace(peer.Host), $"Station:Pacs:{i}:Host is required");
            Check(peer.Port is > 0 and <= 65535, $"Station:Pacs:{i}:Port {peer.Port} must be 1–65535");
            Check(!peer.Tls, $"Station:Pacs:{i}:Tls: DICOM over TLS to a PACS is not supported yet; use a TLS tunnel (stunnel) on the PACS link");
        }
        foreach (var (name, peer) in new[] { ("Worklist", options.Worklist), ("Mpps", options.Mpps) })
        {
            if (!peer.Configured) continue;
            Check(IsAeTitle(peer.AeTitle), $"Station:{name}:AeTitle '{peer.AeTitle}' must be 1–16 printable ASCII characters without backslash");
            Check(!string.IsNullOrWhiteSpace(peer.Host), $"Station:{name}:Host is required when Station:{name}:AeTitle is set");
            Check(peer.Port is > 0 and <= 65535, $"Station:{name}:Port {peer.Port} must be 1–65535");
        }
        Check(options.CommitmentTimeoutSeconds is >= 5 and <= 86_400, $"Station:CommitmentTimeoutSeconds {options.CommitmentTimeoutSeconds} must be 5–86400");
        Check(options.DicomPort is > 0 and <= 65535, $"Station:DicomPort {options.DicomPort} must be 1–65535");
        for (int i = 0; i < options.Protocols.Count; i++)
        {
            var p = options.Protocols[i];
            string at = $"Station:Protocols:{i}";
            Check(!string.IsNullOrWhiteSpace(p.Name) && p.Name.Length <= 64, $"{at}:Name is required (at most 64 characters)");
            Check(p.Kind is "Fluoro" or "Cine" or "Dsa", $"{at}:Kind '{p.Kind}' must be Fluoro, Cine or Dsa");
            Check(p.Phases.Count > 0, $"{at}:Phases needs at least one phase");
            for (int j = 0; j < p.Phases.Count; j++)
            {
                var phase = p.Phases[j];
                Check(phase.PulseRate is >= 0.5 and <= 60, $"{at}:Phases:{j}:PulseRate {phase.PulseRate} must be 0.5–60 pulses/s");
                Check(j == p.Phases.Count - 1 ? phase.Seconds >= 0 : phase.Seconds > 0, $"{at}:Phases:{j}:Seconds {phase.Seconds} must be positive (0 only for the last phase)");
            }
            Check(p.Kind == "Dsa" ? p.MaskFrames >= 1 : p.MaskFrames == 0, $"{at}:MaskFrames {p.MaskFrames}: a DSA protocol needs at least one mask frame, others none");
            Check(!string.IsNullOrWhiteSpace(p.BodyPart), $"{at}:BodyPart must not be empty");
        }
        for (int i = 0; i < options.Tokens.Count; i++)
        {
            var token = options.Tokens[i];
            Check(!string.IsNullOrWhiteSpace(token.Holder), $"Station:Tokens:{i}:Holder is required");
            Check(token.Sha256.Length == 64 && token.Sha256.All(Uri.IsHexDigit), $"Station:Tokens:{i}:Sha256 must be 64 hex digits (the SHA-256 of the token)");
            Check(token.Role is "technician" or "observer", $"Station:Tokens:{i}:Role '{token.Role}' must be technician or observer");
        }
        Check(options.FramePoolSize is >= 16 and <= 2048, $"Station:FramePoolSize {options.FramePoolSize} must be 16–2048");
        Check(options.RecorderQueueFrames >= 8 && options.RecorderQueueFrames < options.FramePoolSize,
            $"Station:RecorderQueueFrames {options.RecorderQueueFrames} must be at least 8 and less than FramePoolSize ({options.FramePoolSize})");
        Check(Uri.TryCreate(options.ListenUrl, UriKind.Absolute, out var url) && url.Scheme is "http" or "https",
            $"Station:ListenUrl '{options.ListenUrl}' must be an http or https URL");
        Check(Uri.TryCreate(options.WebUrl, UriKind.Absolute, out var web) && web.Scheme is "http" or "https",
            $"Station:WebUrl '{options.WebUrl}' must be an http or https URL");
        Check(url is null || web is null || url.Port != web.Port || url.Port == 0 || !string.Equals(url.Host, web.Host, StringComparison.OrdinalIgnoreCase),
            $"Station:ListenUrl and Station:WebUrl must use different ports (gRPC needs HTTP/2, the browser HTTP/1.1)");
        Check(options.RecorderPulseReportWaitMs is >= 50 and <= 10_000, $"Station:RecorderPulseReportWaitMs {options.RecorderPulseReportWaitMs} must be 50–10000");
        Check(RecorderTransferSyntaxes.Find(options.RecorderTransferSyntax) is not null,
            $"Station:RecorderTransferSyntax '{options.RecorderTransferSyntax}' must be {RecorderTransferSyntaxes.RleLossless} or {RecorderTransferSyntaxes.ExplicitVRLittleEndian}");
        Check(options.SpoolReserveMiB is >= 0 and <= 1_048_576, $"Station:SpoolReserveMiB {options.SpoolReserveMiB} must be 0–1048576");
        Check(options.FluoroStoreSeconds is >= 0 and <= 60, $"Station:FluoroStoreSeconds {options.FluoroStoreSeconds} must be 0–60");
        Check(!string.IsNullOrWhiteSpace(options.AuditPath), "Station:AuditPath must not be empty");
        return problems;
    }

    private static bool IsAeTitle(string? value) =>
        !string.IsNullOrWhiteSpace(value) && value.Length <= 16 && value.All(c => c is >= ' ' and <= '~' && c != '\\');
}
