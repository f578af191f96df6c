using CathLab.Acquisition.Fluoro;
using CathLab.Acquisition.Frames;
using CathLab.Acquisition.Protocols;
using CathLab.Dicom.Iods.Xa;

namespace CathLab.Acquisition.Recording;

/// <summary>"Save the last N seconds of fluoro": writes the frames the fluoro loop kept as one XA object (radiation
/// setting SC), each with the generator's own report of its pulse, straight from the loop's buffers.</summary>
public static class FluoroLoopRecording
{
    /// <summary>The protocol a saved fluoro loop is recorded under: fluoro frames at <paramref name="pulseRate"/>, kept as a run.</summary>
    public static AcquisitionProtocol ProtocolFor(double pulseRate) =>
        new("saved-fluoro", "saved fluoro loop", RunKind.Cine, [new AcquisitionPhase("fluoro", pulseRate)]);

    public static RecordingOutcome Save(FluoroLoopStore loop, TimeSpan duration, PulseReportBook pulses, RecordingRequest request, RecorderOptions options)
    {
        if (duration <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(duration), duration, "save a positive duration of fluoro");
        if (request.Violation() is { } violation) throw new ArgumentException(violation, nameof(request));
        Directory.CreateDirectory(options.SpoolFolder);
        var session = new RecordingSession(request with { RadiationSetting = RadiationSetting.Sc }, options, 0, 0, 0);
        int frames = loop.Save(duration, (in FrameInfo info, ReadOnlySpan<ushort> pixels) =>
        {
            if (session.Failure is not null) return;
            if (!pulses.TryFind(info.PulseId, out var report))
            {
                session.Fail($"the generator's report of pulse {info.PulseId} is no longer kept");
                return;
            }
            try
            {
                session.Write(info, pixels, report);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
            {
                session.Fail($"writing the saved fluoro failed: {e.Message}");
            }
        });
        if (frames == 0) return new RecordingOutcome(null, "no fluoro is kept: run fluoro first");
        if (session.Failure is { } failure) return new RecordingOutcome(null, failure);
        return new RecordingOutcome(session.Complete(), null);
    }
}
