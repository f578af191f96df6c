using CathLab.Capture.Acquisition;
using CathLab.Capture.Configuration;
using CathLab.Capture.Distribution;
using CathLab.Capture.Fluoro;
using CathLab.Capture.Frames;
using CathLab.Capture.Processing;
using CathLab.Capture.Recording;
using CathLab.Dicom.Iods.Context;
using CathLab.Dicom.Uids;
using CathLab.Capture.Calibration;
using CathLab.Station.Calibration;
using CathLab.Processing.Frames;
using CathLab.Processing.Pipeline;
using CathLab.Station.Live;
using CathLab.Capture.Sources;
using CathLab.FirmwareBridge;
using CathLab.FirmwareBridge.Exposure;
using CathLab.FirmwareBridge.Switches;
using CathLab.FirmwareBridge.Link;
using Microsoft.Extensions.DependencyInjection.Extensions;
using CathLab.LiveFeed.Hosting;
using CathLab.LiveFeed.Security;
using CathLab.Station.Archive;
using CathLab.Station.Control;
using CathLab.Station.Exam;
using CathLab.Station.Hardware;

namespace CathLab.Station.Hosting;

/// <summary>Puts every station part into the host. Hosted services start in the order they are added here
/// (archive, generator, frame source, consumers) and stop in the reverse order; emission is stopped before any of
/// them, on <see cref="IHostApplicationLifetime.ApplicationStopping"/>.</summary>
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
            AuditPath = Path.GetFullPath(options.AuditPath),
        });
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
        services.AddSingleton(sp => new ProtocolSet(ProtocolCatalog.WithSiteProtocols(options.Protocols)));
        services.AddSingleton(sp => PulseReportBook.Listen(sp.GetRequiredService<GeneratorBridge>().Link));
        services.AddSingleton(sp => new RunRecorder(
            sp.GetRequiredService<FrameFanout>().Subscribe("recorder", options.RecorderQueueFrames, ConsumerPolicy.MustNotLose),
            sp.GetRequiredService<PulseReportBook>(),
            new RecorderOptions(Path.GetFullPath(options.Archive.SpoolFolder))
            {
                SourceAeTitle = options.AeTitle,
                PulseReportWait = TimeSpan.FromMilliseconds(options.RecorderPulseReportWaitMs),
                TransferSyntax = RecorderTransferSyntaxes.Find(options.RecorderTransferSyntax)!,
                SpoolReserveBytes = (long)options.SpoolReserveMiB << 20,
            },
            sp.GetRequiredService<ILogger<RunRecorder>>()));
        services.AddSingleton(new EquipmentInfo("CathLab acquisition station", options.StationName, StationVersion.Text, options.StationName,
            DicomUidGenerator.NewUid()));
        services.AddSingleton<StationRecorder>();
        services.AddSingleton<ExamWorkflow>();
        services.AddSingleton<LiveFeedFrameSink>();
        services.AddSingleton(sp => options.FluoroStoreSeconds > 0
            ? new FluoroLoopStore(new FluoroLoopOptions { Duration = TimeSpan.FromSeconds(options.FluoroStoreSeconds), MaxPixels = options.Detector.Size * options.Detector.Size })
            : null!);
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
        services.AddSingleton<CalibrationService>();
        services.AddSingleton(sp => new ProcessingStage(
            sp.GetRequiredService<FrameFanout>(),
            sp.GetRequiredService<CalibrationState>().Data,
            new RunProcessingProfiles(),
            sp.GetRequiredService<LiveFeedFrameSink>(),
            new ProcessingStageOptions
            {
                Pipeline = new PipelineOptions
                {
                    Backend = Enum.Parse<BackendChoice>(options.Processing.Backend),
                    CpuThreads = options.Processing.CpuThreads,
                    TransferBands = options.Processing.TransferBands,
                    Log = message => sp.GetRequiredService<ILogger<ProcessingStage>>().LogInformation("{Message}", message),
                },
            },
            options.FluoroStoreSeconds > 0 ? sp.GetRequiredService<FluoroLoopStore>() : null,
            sp.GetRequiredService<ILogger<ProcessingStage>>()));
        services.AddSingleton<ExamCoordinator>();
        services.AddSingleton<IStationControl>(sp => sp.GetRequiredService<ExamCoordinator>());

        services.AddSingleton<EmbeddedArchiveService>();
        services.AddHostedService(sp => sp.GetRequiredService<EmbeddedArchiveService>());
        services.AddHostedService<GeneratorConnectionService>();
        if (options.Exposure.FootSwitch.Enabled)
        {
            var footSwitch = options.Exposure.FootSwitch;
            services.AddSingleton<IExposureSwitch>(sp => new SerialFootSwitch(new SerialPortConnector(footSwitch.Port!, footSwitch.BaudRate),
                TimeSpan.FromMilliseconds(footSwitch.StaleMs), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<SerialFootSwitch>>()));
            services.AddHostedService<FootSwitchService>();
        }
        services.AddSingleton<OutboxService>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxService>());
        services.AddHostedService<ProcessingService>();
        services.AddHostedService<FrameSourceService>();
        services.AddHostedService(sp => sp.GetRequiredService<CalibrationService>());
        services.AddHostedService<EmissionGuard>();
        services.AddHostedService<ExposureStopAudit>();
        return services;
    }

    public static WebApplication MapCathLabStation(this WebApplication app)
    {
        app.MapCathLabLiveFeed();
        app.MapGrpcService<StationControlService>();
        app.MapGrpcService<CalibrationControlService>();
        app.MapGet("/health", (HttpContext context) => HealthEndpoint.WriteAsync(context));
        return app;
    }

    private static TokenGrant ToGrant(TokenOptions token) => new()
    {
        Subject = token.Holder,
        Role = token.Role == "technician" ? LiveFeedRole.Technician : LiveFeedRole.Observer,
        TokenSha256 = token.Sha256,
        Exams = token.Exams.Count == 0 ? ["*"] : token.Exams,
    };
}
