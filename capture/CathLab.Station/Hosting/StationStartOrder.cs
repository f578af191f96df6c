using CathLab.Station.Archive;
using CathLab.Station.Calibration;
using CathLab.Station.Control;
using CathLab.Station.Exam;
using CathLab.Station.Hardware;
using CathLab.Station.Live;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CathLab.Station.Hosting;

/// <summary>The one place that says in which order the station's parts start: each part after those it needs, and
/// they stop in the reverse order. Emission is stopped before any of them stops, on
/// <see cref="IHostApplicationLifetime.ApplicationStopping"/> (<see cref="EmissionGuard"/>).</summary>
public sealed class StationStartOrder(IServiceProvider services, ILogger<StationStartOrder> logger) : IHostedService
{
    public static IReadOnlyList<Type> Parts { get; } =
    [
        typeof(EmbeddedArchiveService),     // the embedded PACS, before publishing points at it
        typeof(TechniqueAndDoseEvents),     // listens to the generator before it connects
        typeof(ExposureStopAudit),          // audits the stops the station makes by itself, from the first exposure on
        typeof(GeneratorConnectionService),
        typeof(OutboxService),              // publishing, on the archive or the configured PACS
        typeof(ProcessingService),          // the processing stage, before frames arrive
        typeof(FrameSourceService),
        typeof(CalibrationService),         // offset refresh: needs frames and processing
        typeof(EmissionGuard),
        typeof(FootSwitchService),          // the hardware pedal last, so it is the first to go at shutdown
    ];

    /// <summary>Parts registered only when configured (a foot switch needs its port).</summary>
    private static readonly HashSet<Type> Optional = [typeof(FootSwitchService)];

    private readonly List<IHostedService> _started = [];

    public static void Register(IServiceCollection collection)
    {
        foreach (var part in Parts.Where(p => !Optional.Contains(p))) collection.TryAddSingleton(part);
        collection.AddHostedService<StationStartOrder>();
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var part in Parts)
        {
            if (services.GetService(part) is not IHostedService service)
            {
                if (Optional.Contains(part)) continue;
                throw new InvalidOperationException($"{part.Name} is not registered");
            }
            await service.StartAsync(cancellationToken);
            lock (_started) _started.Add(service);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        IHostedService[] started;
        lock (_started)
        {
            started = [.. _started];
            _started.Clear();
        }
        var failures = new List<Exception>();
        for (int i = started.Length - 1; i >= 0; i--)
        {
            try
            {
                await started[i].StopAsync(cancellationToken);
            }
            catch (Exception e)
            {
                logger.LogError("{Part} did not stop cleanly: {Error}", started[i].GetType().Name, e.Message);
                failures.Add(e);
            }
        }
        if (failures.Count > 0) throw new AggregateException("parts of the station did not stop cleanly", failures);
    }
}
