using CathLab.Acquisition.Calibration;
using CathLab.Acquisition.Distribution;
using CathLab.Acquisition.Fluoro;
using CathLab.Acquisition.Frames;
using CathLab.Acquisition.Imaging;
using CathLab.Acquisition.Protocols;
using CathLab.Acquisition.Recording;
using CathLab.Acquisition.Runs;
using CathLab.Acquisition.Sources;
using CathLab.Dicom.Iods.Context;
using CathLab.Dicom.Network.Services;
using CathLab.Dicom.Uids;
using CathLab.FirmwareBridge;
using CathLab.FirmwareBridge.Exposure;
using CathLab.FirmwareBridge.Link;
using CathLab.FirmwareBridge.Switches;
using CathLab.LiveFeed.Hosting;
using CathLab.LiveFeed.Review;
using CathLab.Processing.Frames;
using CathLab.Processing.Pipeline;
using CathLab.Security.Access;
using CathLab.Station.Archive;
using CathLab.Station.Calibration;
using CathLab.Station.Configuration;
using CathLab.Station.Control;
using CathLab.Station.Discussion;
using CathLab.Station.Exam;
using CathLab.Station.Hardware;
using CathLab.Station.Invitations;
using CathLab.Station.Live;
using CathLab.Station.Web;
using CathLab.Workflow;
using CathLab.Workflow.ProcedureStep;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CathLab.Station.Hosting;

/// <summary>Puts every station part into the host. The parts that run start in the order <see cref="StationStartOrder"/>
/// gives, whatever the order of the registrations here.</summary>
public static class StationServiceRegistration
{
    public const int FramePixels = 1024 * 1024;

    public static IServiceCollection AddCathLabStation(this IServiceCollection services, StationOptions options)
    {
        services.AddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddCathLabLiveFeed(new LiveFeedOptions
        {
            Tokens = [.. options.Tokens.Select(ToGrant)],
            Oidc = options.Oidc.ToSettings(),
            Broker = options.Broker.ToPublisher(),
            AuditPath = Path.GetFullPath(options.AuditPath),
            IdleTimeout = TimeSpan.FromMinutes(options.Security.IdleMinutes),
            Invitations = options.Invitations.ToPolicy(options.WebUrl),
            AuditRepository = options.AuditRepository.ToSettings(options.StationName),
        }, policy => policy.Require(InvitationControlService.InviteMethod, StationRole.Observer));
        services.AddSingleton(options.Mail);
        services.AddSingleton<InvitationMailer>();
        services.AddSingleton(new FramePool(options.FramePoolSize, FramePixels));
        services.AddSingleton<FrameFanout>();
        services.AddSingleton(sp => new GeneratorBridge(
            new GeneratorLinkV1(SerialConnectors.ForPort(options.Generator.SerialPort, options.Generator.BaudRate),
                new LinkTimings { AnswerTimeout = TimeSpan.FromMilliseconds(options.Generator.AnswerTimeoutMs), MaxRetries = options.Generator.MaxRetries },
                sp.GetRequiredService<ILogger<GeneratorLinkV1>>()),
            sp.GetRequiredService<ILoggerFactory>(),
            new ExposureControlOptions { MaxFluoroHold = TimeSpan.FromSeconds(options.Exposure.MaxFluoroHoldSeconds) },
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IExposurePresses>(sp => sp.GetRequiredService<GeneratorBridge>().Exposure);
        services.AddSingleton(new PedalLease(TimeSpan.FromMilliseconds(options.Exposure.PedalLeaseMs)));
        services.AddSingleton<IFrameSource>(sp => FrameSourceFactory.Create(options.Detector, sp));
        services.AddSingleton<RunSequencer>();
        services.AddSingleton(new ProtocolSet(ProtocolCatalog.WithSiteProtocols(options.Protocols)));
        services.AddSingleton(sp => PulseReportBook.Listen(sp.GetRequiredService<GeneratorBridge>().Link));
        services.AddSingleton(sp => new RunRecorder(
            sp.GetRequiredService<FrameFanout>().Subscribe("recorder", options.RecorderQueueFrames, ConsumerPolicy.MustNotLose),
            sp.GetRequiredService<PulseReportBook>(),
            new RecorderOptions(Path.GetFullPath(options.Archive.SpoolFolder))
            {
                SourceAeTitle = options.AeTitle,
                PulseReportWait = TimeSpan.FromMilliseconds(options.RecorderPulseReportWaitMs),
                TransferSyntax = RecorderTransferSyntaxes.Of(options.RecorderTransferSyntax),
                FastRunAboveRate = options.RecorderTransferSyntax == RecorderTransferSyntax.JpegLsLossless ? options.RecorderJpegLsUpToRate : double.PositiveInfinity,
                SpoolReserveBytes = (long)options.SpoolReserveMiB << 20,
                ImagerPixelSpacingMm = options.Detector.ImagerPixelSpacingMm,
                Time = sp.GetRequiredService<TimeProvider>(),
            },
            sp.GetRequiredService<ILogger<RunRecorder>>()));
        services.AddSingleton(new EquipmentInfo("CathLab acquisition station", options.StationName, StationVersion.Text, options.StationName,
            DicomUidGenerator.NewUid()));
        services.AddSingleton<StationRecorder>();
        services.AddSingleton(RisPeersOf(options));
        services.AddSingleton<ExamWorkflow>();
        services.AddSingleton<LiveFeedFrameSink>();
        services.AddSingleton(new FluoroLoop(options.FluoroStoreSeconds > 0
            ? new FluoroLoopStore(new FluoroLoopOptions { Duration = TimeSpan.FromSeconds(options.FluoroStoreSeconds), MaxPixels = options.Detector.Size * options.Detector.Size })
            : null));
        var detectorMode = new FrameGeometry(options.Detector.Size, options.Detector.Size, options.Detector.BitsStored);
        services.AddSingleton(new CalibrationStore(options.Calibration.Folder));
        services.AddSingleton(new ConstancyHistory(options.Calibration.Folder));
        services.AddSingleton(sp =>
        {
            var state = new CalibrationState(detectorMode, TimeSpan.FromDays(options.Calibration.IntervalDays));
            state.Loaded(sp.GetRequiredService<CalibrationStore>().Load(detectorMode));
            return state;
        });
        services.AddSingleton<IFloodExposure>(sp => new SequencerFloodExposure(sp.GetRequiredService<RunSequencer>(), sp.GetRequiredService<IFrameSource>(),
            sp.GetRequiredService<GeneratorBridge>(), options.Calibration.FloodPulseRate));
        services.AddSingleton(sp => new ProcessingStage(
            sp.GetRequiredService<FrameFanout>(),
            sp.GetRequiredService<CalibrationState>().Data,
            new RunProcessingProfiles(),
            sp.GetRequiredService<LiveFeedFrameSink>(),
            new ProcessingStageOptions
            {
                Pipeline = new PipelineOptions
                {
                    Backend = options.Processing.Backend,
                    CpuThreads = options.Processing.CpuThreads,
                    TransferBands = options.Processing.TransferBands,
                    Log = message => sp.GetRequiredService<ILogger<ProcessingStage>>().LogInformation("{Message}", message),
                },
            },
            sp.GetRequiredService<FluoroLoop>().Store,
            sp.GetRequiredService<ILogger<ProcessingStage>>()));
        services.AddSingleton<IExamEvents, LiveFeedExamEvents>();
        services.AddSingleton<IRecordedRunCatalog, ExamRecordedRuns>();
        services.AddSingleton<GeneratorTelemetry>();
        services.AddSingleton<ProtocolSelection>();
        services.AddSingleton<ExamSession>();
        services.AddSingleton<WorklistCache>();
        services.AddSingleton<ExamPublisher>();
        services.AddSingleton<RunController>();
        services.AddSingleton<StationStatusReader>();
        services.AddSingleton<GeneratorResets>();
        services.AddSingleton<IStationControl, ExamCoordinator>();
        services.AddSingleton<TechniqueAndDoseEvents>();
        services.AddStationWebApplication();
        services.AddStationDiscussion(options);

        if (options.Exposure.FootSwitch.Enabled)
        {
            var footSwitch = options.Exposure.FootSwitch;
            services.AddSingleton<IExposureSwitch>(sp => new SerialFootSwitch(SerialConnectors.ForPort(footSwitch.Port!, footSwitch.BaudRate),
                TimeSpan.FromMilliseconds(footSwitch.StaleMs), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<SerialFootSwitch>>()));
            services.AddSingleton<FootSwitchService>();
        }
        services.AddHealthChecks().AddCheck<GeneratorHealthCheck>(nameof(GeneratorHealthCheck));
        StationStartOrder.Register(services);
        return services;
    }

    public static WebApplication MapCathLabStation(this WebApplication app)
    {
        app.MapCathLabLiveFeed();
        app.MapGrpcService<StationControlService>();
        app.MapGrpcService<CalibrationControlService>();
        app.MapGrpcService<InvitationControlService>();
        app.MapHealthChecks(HealthAnswer.Path, HealthAnswer.Options);
        app.MapStationWebApplication();
        app.MapStationDiscussion();
        return app;
    }

    private static RisPeers RisPeersOf(StationOptions options)
    {
        DicomPeer? PeerOf(DicomPeerOptions peer) => peer.Configured ? new DicomPeer(peer.Host, peer.Port, peer.AeTitle, options.AeTitle) : null;
        return new RisPeers(new PerformingStation(options.AeTitle, options.StationName), PeerOf(options.Worklist), PeerOf(options.Mpps));
    }

    private static TokenGrant ToGrant(TokenOptions token) => new()
    {
        Subject = token.Holder,
        Role = token.Role == TokenRole.Technician ? StationRole.Technician : StationRole.Observer,
        TokenSha256 = token.Sha256,
        Exams = token.Exams.Count == 0 ? ["*"] : token.Exams,
    };
}
