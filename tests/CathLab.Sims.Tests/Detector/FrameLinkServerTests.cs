using System.Diagnostics;
using CathLab.Sims.Detector;
using CathLab.Sims.Generator;
using CathLab.Wire.FrameLink;
using CathLab.Wire.Generator;

namespace CathLab.Sims.Tests.Detector;

/// <summary>The frame link itself: messages, requests, modes, dark frames, clients coming and going, bad input.</summary>
public class FrameLinkServerTests
{
    private static readonly Technique Fluoro = new(75, 10, 6);

    [Fact]
    public async Task Hello_carries_the_mode_and_a_frame_carries_the_pulse_that_made_it()
    {
        using var sim = RunningDetector.WaterSlab();
        using var client = await PhysicsOverFrameLinkTests.Subscribed(sim);
        Assert.Equal((ushort)1024, client.Hello.Width);
        Assert.Equal((ushort)14, client.Hello.BitsStored);
        uint pulseId = sim.Pulse(new Technique(81.3, 12.5, 6.25), ExposureKind.Cine);
        var frame = await client.ReadExpectingAsync(FrameLinkMessageType.Frame);
        var h = frame.Header;
        Assert.Equal(pulseId, h.PulseId);
        Assert.Equal((ushort)1024, h.Width);
        Assert.Equal((ushort)1024, h.Height);
        Assert.Equal((ushort)14, h.BitsStored);
        Assert.Equal((uint)(1024 * 1024 * 2), h.PayloadLength);
        Assert.Equal((ushort)813, h.KvTenths);
        Assert.Equal((ushort)125, h.MaTenths);
        Assert.Equal((ushort)625, h.PulseWidthHundredthsMs);
        Assert.Equal((byte)ExposureKind.Cine, h.ExposureKind);
        Assert.True(h.AirKermaNanoGray > 0);
        Assert.True(h.TimestampMicroseconds > 0);
        Assert.True(MaxPixel(frame) <= (1 << 14) - 1);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(16)]
    public async Task Bits_stored_are_announced_and_respected(int bits)
    {
        using var sim = new RunningDetector(new SimulatedDetectorOptions { BitsStored = bits });
        using var client = await PhysicsOverFrameLinkTests.Subscribed(sim);
        Assert.Equal((ushort)bits, client.Hello.BitsStored);
        sim.Pulse(new Technique(110, 400, 10));
        var frame = await client.ReadExpectingAsync(FrameLinkMessageType.Frame);
        Assert.Equal((ushort)bits, frame.Header.BitsStored);
        Assert.True(MaxPixel(frame) <= (1 << bits) - 1);
        Assert.Equal((1 << bits) - 1, MaxPixel(frame)); // hot pixels and a saturating exposure reach full scale
    }

    [Fact]
    public async Task Dark_frames_on_request_have_pulse_id_zero_and_read_the_offset()
    {
        using var sim = RunningDetector.WaterSlab();
        using var client = await FrameLinkTestClient.ConnectAsync(sim.Port);
        await client.RequestAsync(FrameLinkRequest.DarkFrames(3));
        uint? previous = null;
        var maps = sim.Detector.Calibration(DetectorMode.Full1024);
        for (int i = 0; i < 3; i++)
        {
            var dark = await client.ReadExpectingAsync(FrameLinkMessageType.DarkFrame);
            Assert.Equal(0u, dark.Header.PulseId);
            Assert.Equal(0, dark.Header.KvTenths);
            if (previous is uint p)
            {
                Assert.Equal(p + 1, dark.Header.Sequence);
            }
            previous = dark.Header.Sequence;
            double mean = RoiStatistics.Mean(dark.Pixels, maps, 100, 100, 300);
            Assert.InRange(mean, 0.8 * sim.Detector.Physics.MeanOffsetLsb, 1.2 * sim.Detector.Physics.MeanOffsetLsb);
        }
    }

    [Fact]
    public async Task Both_readout_sizes_are_served_and_switchable()
    {
        using var sim = RunningDetector.WaterSlab();
        using var client = await PhysicsOverFrameLinkTests.Subscribed(sim);
        await client.RequestAsync(FrameLinkRequest.SetMode(512));
        Assert.Equal(DetectorMode.Binned512, sim.Detector.Mode);
        sim.Pulse(Fluoro);
        var small = await client.ReadExpectingAsync(FrameLinkMessageType.Frame);
        Assert.Equal((ushort)512, small.Header.Width);
        Assert.Equal((ushort)512, small.Header.Height);
        Assert.Equal(512 * 512 * 2, small.Payload.Length);
        await client.RequestAsync(FrameLinkRequest.DarkFrames(1));
        var dark = await client.ReadExpectingAsync(FrameLinkMessageType.DarkFrame);
        Assert.Equal((ushort)512, dark.Header.Width);
        await client.RequestAsync(FrameLinkRequest.SetMode(1024));
        sim.Pulse(Fluoro);
        var large = await client.ReadExpectingAsync(FrameLinkMessageType.Frame);
        Assert.Equal((ushort)1024, large.Header.Width);
        Assert.Equal(1024 * 1024 * 2, large.Payload.Length);
        // Binning sums four pixels' quanta: the binned frame is brighter above the offset.
        double offset = sim.Detector.Physics.MeanOffsetLsb;
        double smallMean = RoiStatistics.Mean(small.Pixels, sim.Detector.Calibration(DetectorMode.Binned512), 200, 200, 100) - offset;
        double largeMean = RoiStatistics.Mean(large.Pixels, sim.Detector.Calibration(DetectorMode.Full1024), 400, 400, 200) - offset;
        Assert.InRange(smallMean / largeMean, 3.4, 4.6);
    }

    [Fact]
    public async Task Dropped_frames_fault_leaves_a_sequence_gap_and_switches_off_at_run_time()
    {
        using var sim = RunningDetector.WaterSlab(faults: new DetectorFaultOptions(DropEveryNth: 2));
        using var client = await PhysicsOverFrameLinkTests.Subscribed(sim);
        var ids = new List<uint>();
        for (int i = 0; i < 4; i++)
        {
            ids.Add(sim.Pulse(Fluoro));
        }
        var first = await client.ReadExpectingAsync(FrameLinkMessageType.Frame);
        var second = await client.ReadExpectingAsync(FrameLinkMessageType.Frame);
        Assert.Equal(ids[0], first.Header.PulseId);
        Assert.Equal(ids[2], second.Header.PulseId);
        Assert.Equal(first.Header.Sequence + 2, second.Header.Sequence);
        await WaitUntil(() => sim.Detector.FramesRendered == 4);
        Assert.Equal(2, sim.Detector.FramesDroppedByFault);

        sim.Detector.SetFaults(DetectorFaultOptions.None);
        uint a = sim.Pulse(Fluoro);
        uint b = sim.Pulse(Fluoro);
        var third = await client.ReadExpectingAsync(FrameLinkMessageType.Frame);
        var fourth = await client.ReadExpectingAsync(FrameLinkMessageType.Frame);
        Assert.Equal(a, third.Header.PulseId);
        Assert.Equal(b, fourth.Header.PulseId);
        Assert.Equal(third.Header.Sequence + 1, fourth.Header.Sequence);
    }

    [Fact]
    public async Task Late_frames_fault_holds_frames_back_but_delivers_them()
    {
        using var sim = RunningDetector.WaterSlab();
        using var client = await PhysicsOverFrameLinkTests.Subscribed(sim);
        sim.Detector.SetFaults(new DetectorFaultOptions(LateEveryNth: 1, LateByMilliseconds: 300));
        var clock = Stopwatch.StartNew();
        uint id = sim.Pulse(Fluoro);
        var frame = await client.ReadExpectingAsync(FrameLinkMessageType.Frame);
        Assert.Equal(id, frame.Header.PulseId);
        Assert.True(clock.ElapsedMilliseconds >= 300, $"arrived after {clock.ElapsedMilliseconds} ms");
        Assert.Equal(1, sim.Detector.FramesLate);
        Assert.Equal(0, sim.Detector.FramesDroppedByFault);
    }

    [Fact]
    public async Task Dead_row_and_column_fault_read_zero_until_cleared()
    {
        using var sim = RunningDetector.WaterSlab();
        using var client = await PhysicsOverFrameLinkTests.Subscribed(sim);
        sim.Detector.SetFaults(new DetectorFaultOptions(DeadRow: 100, DeadColumn: 200));
        sim.Pulse(Fluoro);
        var faulty = await client.ReadExpectingAsync(FrameLinkMessageType.Frame);
        for (int i = 0; i < 1024; i++)
        {
            Assert.Equal(0, faulty.Pixels[100 * 1024 + i]);
            Assert.Equal(0, faulty.Pixels[i * 1024 + 200]);
        }
        sim.Detector.SetFaults(DetectorFaultOptions.None);
        sim.Pulse(Fluoro);
        var healthy = await client.ReadExpectingAsync(FrameLinkMessageType.Frame);
        int zeros = 0;
        for (int i = 0; i < 1024; i++)
        {
            zeros += healthy.Pixels[100 * 1024 + i] == 0 ? 1 : 0;
        }
        Assert.True(zeros < 10, $"{zeros} zero pixels left on the healed row");
    }

    [Fact]
    public async Task A_client_can_disconnect_and_reconnect()
    {
        using var sim = RunningDetector.WaterSlab();
        using (var first = await PhysicsOverFrameLinkTests.Subscribed(sim))
        {
            sim.Pulse(Fluoro);
            await first.ReadExpectingAsync(FrameLinkMessageType.Frame);
            sim.Pulse(Fluoro); // left unread in the socket when the client goes away
            await WaitUntil(() => sim.Detector.FramesRendered == 2);
        }
        await WaitUntil(() => sim.Detector.ClientCount == 0);
        using var second = await PhysicsOverFrameLinkTests.Subscribed(sim);
        uint id = sim.Pulse(Fluoro);
        var frame = await second.ReadExpectingAsync(FrameLinkMessageType.Frame);
        Assert.Equal(id, frame.Header.PulseId);
        Assert.Equal(1, sim.Detector.ClientCount);
    }

    [Fact]
    public async Task Every_subscriber_gets_every_frame_and_an_unsubscribed_client_none()
    {
        using var sim = RunningDetector.WaterSlab();
        using var a = await PhysicsOverFrameLinkTests.Subscribed(sim);
        using var b = await PhysicsOverFrameLinkTests.Subscribed(sim);
        uint id = sim.Pulse(Fluoro);
        Assert.Equal(id, (await a.ReadExpectingAsync(FrameLinkMessageType.Frame)).Header.PulseId);
        Assert.Equal(id, (await b.ReadExpectingAsync(FrameLinkMessageType.Frame)).Header.PulseId);
        await b.RequestAsync(FrameLinkRequest.Unsubscribe);
        uint next = sim.Pulse(Fluoro);
        Assert.Equal(next, (await a.ReadExpectingAsync(FrameLinkMessageType.Frame)).Header.PulseId);
        await b.RequestAsync(FrameLinkRequest.DarkFrames(1));
        // b's next message is the dark frame it asked for, not the exposure it unsubscribed from.
        await b.ReadExpectingAsync(FrameLinkMessageType.DarkFrame);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Malformed_request_gets_a_clear_error_closes_that_connection_and_the_server_survives(int kind)
    {
        using var sim = RunningDetector.WaterSlab();
        using var bystander = await PhysicsOverFrameLinkTests.Subscribed(sim);
        using var client = await FrameLinkTestClient.ConnectAsync(sim.Port);
        var bytes = new byte[FrameLinkRequest.Size];
        FrameLinkRequest.Subscribe.Write(bytes);
        FrameLinkErrorCode expected;
        switch (kind)
        {
            case 0:
                bytes = "GET / HTTP/1.1\r\n"u8.ToArray();
                expected = FrameLinkErrorCode.BadMagic;
                break;
            case 1:
                bytes[9] ^= 0x40;
                expected = FrameLinkErrorCode.BadCrc;
                break;
            default:
                bytes[4] = 9;
                expected = FrameLinkErrorCode.UnsupportedVersion;
                break;
        }
        await client.SendRawAsync(bytes);
        var reply = await client.ReadExpectingAsync(FrameLinkMessageType.Error);
        var error = FrameLinkError.Read(reply.Payload);
        Assert.Equal(expected, error.Code);
        Assert.Contains("closing the connection", error.Reason);
        Assert.True(await client.ServerClosedAsync());

        uint id = sim.Pulse(Fluoro);
        Assert.Equal(id, (await bystander.ReadExpectingAsync(FrameLinkMessageType.Frame)).Header.PulseId);
        using var newcomer = await PhysicsOverFrameLinkTests.Subscribed(sim);
        uint next = sim.Pulse(Fluoro);
        Assert.Equal(next, (await newcomer.ReadExpectingAsync(FrameLinkMessageType.Frame)).Header.PulseId);
    }

    [Fact]
    public async Task Refused_request_gets_an_error_and_the_connection_stays_usable()
    {
        using var sim = RunningDetector.WaterSlab();
        using var client = await FrameLinkTestClient.ConnectAsync(sim.Port);
        await client.SendAsync(FrameLinkRequest.SetMode(700));
        var refusal = FrameLinkError.Read((await client.ReadExpectingAsync(FrameLinkMessageType.Error)).Payload);
        Assert.Equal(FrameLinkErrorCode.BadArgument, refusal.Code);
        Assert.Equal((ushort)FrameLinkRequestType.SetMode, refusal.RequestType);
        Assert.Contains("700", refusal.Reason);

        await client.SendAsync(new FrameLinkRequest((FrameLinkRequestType)77, 0));
        Assert.Equal(FrameLinkErrorCode.UnknownRequest, FrameLinkError.Read((await client.ReadExpectingAsync(FrameLinkMessageType.Error)).Payload).Code);
        await client.SendAsync(FrameLinkRequest.DarkFrames(0));
        Assert.Equal(FrameLinkErrorCode.BadArgument, FrameLinkError.Read((await client.ReadExpectingAsync(FrameLinkMessageType.Error)).Payload).Code);

        await client.RequestAsync(FrameLinkRequest.Subscribe);
        uint id = sim.Pulse(Fluoro);
        Assert.Equal(id, (await client.ReadExpectingAsync(FrameLinkMessageType.Frame)).Header.PulseId);
        Assert.Equal(DetectorMode.Full1024, sim.Detector.Mode);
    }

    [Fact]
    public async Task A_client_that_does_not_read_loses_frames_and_sees_the_gap()
    {
        using var sim = RunningDetector.WaterSlab(clientQueueDepth: 2);
        using var slow = await FrameLinkTestClient.ConnectAsync(sim.Port, receiveBufferBytes: 64 * 1024);
        await slow.RequestAsync(FrameLinkRequest.Subscribe);
        const int pulses = 40;
        for (int i = 1; i <= pulses; i++)
        {
            sim.Pulse(Fluoro);
            await WaitUntil(() => sim.Detector.FramesRendered == i);
        }
        Assert.True(sim.Detector.FramesDroppedForSlowClients > 0);
        var received = new List<FrameHeader>();
        long dropped = sim.Detector.FramesDroppedForSlowClients;
        for (int i = 0; i < pulses - dropped; i++)
        {
            received.Add((await slow.ReadExpectingAsync(FrameLinkMessageType.Frame)).Header);
        }
        Assert.Equal(received.Select(h => h.Sequence).Order(), received.Select(h => h.Sequence));
        // Once the client has caught up, the next frame shows how many it missed: Hello and the
        // acknowledgement took sequence numbers 1 and 2, every pulse took one after them.
        uint id = sim.Pulse(Fluoro);
        var next = (await slow.ReadExpectingAsync(FrameLinkMessageType.Frame)).Header;
        Assert.Equal(id, next.PulseId);
        Assert.Equal(2u + pulses + 1, next.Sequence);
        Assert.True(next.Sequence > received[^1].Sequence + 1);
    }

    [Fact]
    public void The_generator_pulse_thread_is_never_blocked_by_a_busy_renderer()
    {
        using var detector = new SimulatedDetector(new SimulatedDetectorOptions { RenderQueueDepth = 4 });
        // Not started: nothing drains the render queue, yet every call returns and the excess is counted.
        for (uint i = 1; i <= 20; i++)
        {
            detector.OnPulse(new DeliveredPulse(i, i * 1000, Fluoro, ExposureKind.Fluoro, 1));
        }
        Assert.Equal(16, detector.PulsesOverrun);
    }

    [Fact]
    public void Options_out_of_range_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SimulatedDetector(new SimulatedDetectorOptions { BitsStored = 9 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SimulatedDetector(new SimulatedDetectorOptions
        {
            Phantom = new Sims.Phantom.PhantomOptions { WaterThicknessCm = 40 },
        }));
        using var detector = new SimulatedDetector(new SimulatedDetectorOptions());
        Assert.Throws<ArgumentOutOfRangeException>(() => detector.SetFaults(new DetectorFaultOptions(DropEveryNth: -1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => detector.World.PanTable(500, 0));
    }

    private static int MaxPixel(FrameLinkTestClient.Message frame)
    {
        int max = 0;
        foreach (ushort p in frame.Pixels)
        {
            max = Math.Max(max, p);
        }
        return max;
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var guard = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(guard.Elapsed < FrameLinkTestClient.HangGuard, "condition not reached within the hang guard");
            await Task.Delay(20);
        }
    }
}
