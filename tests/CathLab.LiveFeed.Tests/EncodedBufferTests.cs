using CathLab.LiveFeed.Hosting;
using CathLab.LiveFeed.Protocol;
using CathLab.LiveFeed.Publishing;
using CathLab.LiveFeed.Security;
using CathLab.LiveFeed.Sessions;
using CathLab.LiveFeed.Tests.Support;
using CathLab.LiveFeed.Tiers;

namespace CathLab.LiveFeed.Tests;

/// <summary>The encoder's pooled, reference-counted output: nothing allocated per frame once warm, and no buffer
/// reused while a session still holds it.</summary>
public sealed class EncodedBufferTests
{
    private static readonly CallerIdentity Tech = new("t", LiveFeedRole.Technician, []);

    [Fact]
    public void TheEncoderAllocatesNothingPerFrameOnceWarm()
    {
        var frames = SimulatedFrameSet.Full;
        using var hub = new LiveFeedHub(new LiveFeedOptions());
        hub.BeginExam("E");
        // Three observers at the diagnostic, half- and quarter-size levels and no writer: their queues fill and
        // drop the oldest frame, which exercises the release-on-drop path on every frame.
        int[] levels = [1, 2, 3];
        foreach (int level in levels) hub.Join(Tech, "E", Tier.Diagnostic, 0, "test", null).ForceLevel(level);
        long frame = 0;
        // Warm-up: every slot's pixel views, the pools' images and buffers, and two rounds of the every-64th-frame
        // encode of all variants (which makes the PNG pool's images).
        for (int i = 0; i < 160; i++) PublishAndWait(hub, frames, frame++);
        long allocatedBefore = hub.EncoderAllocatedBytes;
        long encodedBefore = hub.Counters.Encoded;
        const int measured = 200; // crosses three all-variant frames
        for (int i = 0; i < measured; i++) PublishAndWait(hub, frames, frame++);
        long perFrame = (hub.EncoderAllocatedBytes - allocatedBefore) / (hub.Counters.Encoded - encodedBefore);
        // Budget: 0 expected. A few bytes per frame on average leave room for a one-off runtime allocation in
        // the window (tiered JIT, a pool's stack growing once) without hiding a per-frame array: those were 250–500 KB.
        Assert.True(perFrame <= 64, $"the encoder allocated {perFrame} bytes per frame in steady state");
        Assert.Equal(0, hub.Counters.EncoderFailures);
    }

    [Fact]
    public async Task AFrameBeingSentKeepsItsBufferUntilTheSessionReleasesIt()
    {
        var frames = SimulatedFrameSet.Full;
        using var hub = new LiveFeedHub(new LiveFeedOptions());
        hub.BeginExam("E");
        var session = hub.Join(Tech, "E", Tier.Diagnostic, 0, "test", null);
        session.ForceLevel(1);
        var transport = new StalledTransport();
        var writer = Task.Run(() => session.RunWriterAsync(transport, CancellationToken.None));
        long frame = 0;
        while (!transport.Holding.IsCompleted) PublishAndWait(hub, frames, frame++);
        var (held, copy) = await transport.Holding;

        // The observer is stalled mid-send; 40 more frames go through the pool around it.
        for (int i = 0; i < 40; i++) PublishAndWait(hub, frames, frame++);
        var pool = hub.PoolOf(StreamVariant.All[1]);
        Assert.True(pool.Created > 1, "the encoder should have had to use other images while one was held");
        Assert.True(held.References >= 1);
        Assert.True(held.Data.Span.SequenceEqual(copy), "a held buffer was overwritten by a later frame");

        transport.Resume();
        session.Stop();
        await writer;
        Assert.Equal(0, held.References);
        Assert.Equal(pool.Created, pool.Free); // every image came back: the last release returns it
    }

    [Fact]
    public void ReleasingTooOftenOrRetainingAReturnedImageIsAClearError()
    {
        var pool = new EncodedImagePool(StreamVariant.All[2]);
        var image = pool.Rent();
        image.Retain();
        image.Release();
        image.Release();
        Assert.Equal(1, pool.Free);
        Assert.Contains("after its last release", Assert.Throws<InvalidOperationException>(image.Retain).Message);
        Assert.Same(image, pool.Rent());
        image.Release();
        Assert.Contains("more often", Assert.Throws<InvalidOperationException>(image.Release).Message);
    }

    private static void PublishAndWait(LiveFeedHub hub, SimulatedFrameSet frames, long n)
    {
        long before = hub.Counters.Encoded;
        int i = (int)(n % frames.Count);
        Assert.True(hub.PublishFrame(LiveFrameInfo.Square(n, frames.Side, 14), frames.Raw[i], frames.Display[i]), $"frame {n} was dropped before the encoder");
        Assert.True(SpinWait.SpinUntil(() => hub.Counters.Encoded > before, TimeSpan.FromMinutes(1)), "the encoder stopped taking frames");
    }

    /// <summary>Copies the first frame it is given and then does not finish sending it until resumed.</summary>
    private sealed class StalledTransport : IObserverTransport
    {
        private readonly TaskCompletionSource<(EncodedImage, byte[])> _holding = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _resume = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<(EncodedImage Image, byte[] Copy)> Holding => _holding.Task;

        public string Name => "stalled";

        public void Resume() => _resume.TrySetResult();

        public async ValueTask SendFrameAsync(OutgoingFrame frame, long sentUnixMicroseconds, CancellationToken cancellation)
        {
            if (_holding.TrySetResult((frame.Image, frame.Image.Data.ToArray()))) await _resume.Task;
        }

        public ValueTask SendEventAsync(ExamEvent examEvent, CancellationToken cancellation) => ValueTask.CompletedTask;

        public ValueTask SendNoticeAsync(SessionNotice notice, CancellationToken cancellation) => ValueTask.CompletedTask;
    }
}
