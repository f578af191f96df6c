using System.Buffers.Binary;
using CathLab.Dicom.Network.Pdus;
using CathLab.Dicom.Network.Status;

namespace CathLab.Dicom.Network.Tests;

/// <summary>Hostile and random input to the PDU reader and decoders: a clear exception every time, never a hang or a huge allocation.</summary>
public sealed class PduReaderFuzzTests
{
    private const uint MaxPdu = 16384;
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task TruncatedPduIsReportedAsTruncated()
    {
        var full = AssociatePduCodec.Encode(PduCodecTests.SampleRequest());
        using var reader = new PduReader(new MemoryStream(full[..(full.Length / 2)]), MaxPdu);
        var error = await Assert.ThrowsAsync<PduFormatException>(() => reader.ReadAsync(Guard, "fuzz").AsTask());
        Assert.Contains("ended inside a PDU", error.Message);
    }

    [Fact]
    public async Task LengthFarBeyondTheStreamOrTheLimitIsRefusedBeforeReading()
    {
        byte[] huge = [0x04, 0, 0xFF, 0xFF, 0xFF, 0xF0, 1, 2, 3];
        using var reader = new PduReader(new MemoryStream(huge), MaxPdu);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = await Assert.ThrowsAsync<PduFormatException>(() => reader.ReadAsync(Guard, "fuzz").AsTask());
        Assert.Contains("more than the 16384 allowed", error.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);

        var overMax = new byte[6 + MaxPdu + 1];
        overMax[0] = 0x04;
        BinaryPrimitives.WriteUInt32BigEndian(overMax.AsSpan(2), MaxPdu + 1);
        using var reader2 = new PduReader(new MemoryStream(overMax), MaxPdu);
        await Assert.ThrowsAsync<PduFormatException>(() => reader2.ReadAsync(Guard, "fuzz").AsTask());

        byte[] assocTooBig = [0x01, 0, 0x00, 0x20, 0x00, 0x00];
        using var reader3 = new PduReader(new MemoryStream(assocTooBig), MaxPdu);
        await Assert.ThrowsAsync<PduFormatException>(() => reader3.ReadAsync(Guard, "fuzz").AsTask());
    }

    [Theory]
    [InlineData(new byte[] { 0x09, 0, 0, 0, 0, 4, 0, 0, 0, 0 })]
    [InlineData(new byte[] { 0x00, 0, 0, 0, 0, 0 })]
    [InlineData(new byte[] { 0x07, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0 })]
    [InlineData(new byte[] { 0x05, 0, 0, 0, 0, 2, 0, 0 })]
    public async Task WronglyTypedOrSizedPdusAreRefused(byte[] input)
    {
        using var reader = new PduReader(new MemoryStream(input), MaxPdu);
        await Assert.ThrowsAsync<PduFormatException>(() => reader.ReadAsync(Guard, "fuzz").AsTask());
    }

    [Fact]
    public async Task StreamThatStallsMidPduTimesOut()
    {
        using var stalled = new StallingStream([0x04, 0, 0, 0, 0x10, 0]);
        using var reader = new PduReader(stalled, MaxPdu);
        await Assert.ThrowsAsync<DicomTimeoutException>(() => reader.ReadAsync(TimeSpan.FromMilliseconds(200), "fuzz").AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task SeededRandomInputNeverEscapesAsAnythingButAFormatError()
    {
        var random = new Random(20261124);
        var valid = AssociatePduCodec.Encode(PduCodecTests.SampleRequest());
        for (var round = 0; round < 3000; round++)
        {
            byte[] input;
            if (round % 2 == 0)
            {
                input = new byte[random.Next(0, 200)];
                random.NextBytes(input);
                if (input.Length > 0)
                {
                    input[0] = (byte)random.Next(0, 9);
                }
            }
            else
            {
                input = (byte[])valid.Clone(); // mutate a valid request: the nastiest input sits close to valid
                for (var flips = random.Next(1, 6); flips > 0; flips--)
                {
                    input[random.Next(input.Length)] = (byte)random.Next(256);
                }
                input = input[..random.Next(1, input.Length + 1)];
            }
            await ReadAndDecode(input);
        }
    }

    private static async Task ReadAndDecode(byte[] input)
    {
        using var reader = new PduReader(new MemoryStream(input), MaxPdu);
        try
        {
            var pdu = await reader.ReadAsync(Guard, "fuzz").AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            if (pdu is not { } p)
            {
                return;
            }
            switch (p.Type)
            {
                case PduType.AssociateRequest: AssociatePduCodec.DecodeRequest(p.Body.Span); break;
                case PduType.AssociateAccept: AssociatePduCodec.DecodeAccept(p.Body.Span); break;
                case PduType.AssociateReject: AssociatePduCodec.DecodeReject(p.Body.Span); break;
                case PduType.Abort: AssociatePduCodec.DecodeAbort(p.Body.Span); break;
                case PduType.DataTransfer:
                    foreach (var pdv in new PdvEnumerator(p.Body.Span))
                    {
                        if (pdv.IsCommand && pdv.IsLast)
                        {
                            Dimse.CommandSet.Decode(pdv.Fragment);
                        }
                    }
                    break;
            }
        }
        catch (PduFormatException)
        {
            // the one acceptable outcome for bad input
        }
    }

    private sealed class StallingStream(byte[] prefix) : Stream
    {
        private int _position;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position < prefix.Length)
            {
                var n = Math.Min(buffer.Length, prefix.Length - _position);
                prefix.AsSpan(_position, n).CopyTo(buffer.Span);
                _position += n;
                return n;
            }
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
