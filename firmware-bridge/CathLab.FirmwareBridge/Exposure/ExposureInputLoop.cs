using System.Collections.Concurrent;

namespace CathLab.FirmwareBridge.Exposure;

/// <summary>The controller's one input queue and the one thread that consumes it: each submission is handed to the
/// handler to run to completion before the next. A failing handler never stops the loop (the next input, a release,
/// must still be served).</summary>
internal sealed class ExposureInputLoop : IDisposable
{
    private readonly BlockingCollection<ExposureSubmission> _inputs = new(new ConcurrentQueue<ExposureSubmission>());
    private readonly Action<ExposureSubmission> _handle;
    private readonly Action<ExposureSubmission, Exception> _failed;
    private readonly Thread _thread;
    private int _backlog;

    public ExposureInputLoop(Action<ExposureSubmission> handle, Action<ExposureSubmission, Exception> failed)
    {
        _handle = handle;
        _failed = failed;
        _thread = new Thread(Consume) { IsBackground = true, Name = "exposure-control", Priority = ThreadPriority.AboveNormal };
        _thread.Start();
    }

    /// <summary>Inputs queued and not yet processed.</summary>
    public int Backlog => Volatile.Read(ref _backlog);

    public bool OnLoopThread => Thread.CurrentThread == _thread;

    /// <summary>False once the loop is disposed.</summary>
    public bool TryEnqueue(ExposureSubmission submission)
    {
        Interlocked.Increment(ref _backlog);
        try
        {
            if (_inputs.TryAdd(submission)) return true;
        }
        catch (InvalidOperationException)
        {
            // disposed: adding completed
        }
        Interlocked.Decrement(ref _backlog);
        return false;
    }

    private void Consume()
    {
        foreach (var submission in _inputs.GetConsumingEnumerable())
        {
            try
            {
                _handle(submission);
            }
            catch (Exception e)
            {
                _failed(submission, e);
            }
            finally
            {
                Interlocked.Decrement(ref _backlog);
            }
        }
    }

    public void Dispose()
    {
        _inputs.CompleteAdding();
        if (!OnLoopThread) _thread.Join(TimeSpan.FromSeconds(2));
    }
}

/// <summary>One queued input. <paramref name="Reply"/>: the submitter waiting for its transition;
/// <paramref name="ResetOutcome"/>: a fault reset's caller waiting for how the reset ended;
/// <paramref name="Exposure"/>: the exposure a timer input belongs to (0: any).</summary>
internal sealed record ExposureSubmission(
    ExposureInput Input,
    TaskCompletionSource<ExposureTransition>? Reply,
    TaskCompletionSource<ExposureTransition>? ResetOutcome,
    long Exposure);
