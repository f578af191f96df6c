using CathLab.Publishing.Commitment;
using CathLab.Publishing.Journal;
using Microsoft.Extensions.Logging;

namespace CathLab.Publishing.Delivery;

/// <summary>
/// One destination's delivery loop: send what is due, ask for commitment of what was sent, release committed files,
/// then sleep until the next row falls due, a wake-up (Add, Retry, a failed commitment) or the idle poll. A PACS that is
/// down or slow holds up only its own loop.
/// </summary>
internal sealed class DestinationLoop : IAsyncDisposable
{
    private static readonly TimeSpan MinimumSleep = TimeSpan.FromMilliseconds(20);
    private readonly PacsDestination _destination;
    private readonly OutboxOptions _options;
    private readonly OutboxJournal _journal;
    private readonly IObjectSender _sender;
    private readonly CommitmentRequester? _commitments;
    private readonly IDisposable? _owned;
    private readonly CommittedFileReleaser _releaser;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly WakeSignal _wake = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _run = Task.CompletedTask;

    /// <param name="commitments">Null where the sender's answer is the commitment (STOW-RS).</param>
    /// <param name="owned">What the loop disposes when it ends (the STOW-RS sender's HTTP client).</param>
    public DestinationLoop(PacsDestination destination, OutboxOptions options, OutboxJournal journal, IObjectSender sender,
        CommitmentRequester? commitments, CommittedFileReleaser releaser, TimeProvider clock, ILogger logger, IDisposable? owned = null)
    {
        _owned = owned;
        _destination = destination;
        _options = options;
        _journal = journal;
        _sender = sender;
        _commitments = commitments;
        _releaser = releaser;
        _clock = clock;
        _logger = logger;
    }

    public string Destination => _destination.Name;

    public void Start() => _run = Task.Run(() => RunAsync(_stop.Token));

    public void Wake() => _wake.Set();

    private async Task RunAsync(CancellationToken cancellation)
    {
        while (!cancellation.IsCancellationRequested)
        {
            try
            {
                var worked = await _sender.SendDueAsync(cancellation).ConfigureAwait(false) > 0;
                if (_commitments is not null) worked |= await _commitments.RequestDueAsync(cancellation).ConfigureAwait(false) > 0;
                _releaser.ReleaseCommitted();
                if (worked)
                {
                    continue;
                }
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                return; // rows in flight stay Sending: start-up recovery takes them back, as after a crash
            }
            catch (Exception e)
            {
                _logger.LogError(e, "outbox loop for {Destination} failed; carrying on", _destination.Name);
            }
            try
            {
                await _wake.WaitAsync(SleepTime(), cancellation).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private TimeSpan SleepTime()
    {
        TimeSpan sleep;
        try
        {
            sleep = _journal.NextDue(_destination.Name) is { } next ? next - _clock.GetUtcNow() : _options.IdlePoll;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            sleep = _options.IdlePoll;
        }
        return sleep < MinimumSleep ? MinimumSleep : sleep > _options.IdlePoll ? _options.IdlePoll : sleep;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
        _wake.Dispose();
        _owned?.Dispose();
    }
}
