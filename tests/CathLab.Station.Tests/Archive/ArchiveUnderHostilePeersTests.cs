using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using CathLab.Dicom.Network.Pdus;
using CathLab.Station.Tests.Hil;
using CathLab.Station.Tests.Workflow;
using CathLab.Testing;
using Xunit.Abstractions;

namespace CathLab.Station.Tests.Archive;

/// <summary>The station process (<c>cathlab-station</c> on the simulator) with its embedded archive on a known port.</summary>
public sealed class ArchiveStation : IAsyncLifetime
{
    public const string ArchiveAe = "CATHLAB_ARCH";
    private SimulatorProcess? _sim;
    private StationProcess? _station;

    public int Port { get; } = FreePort.Next();
    internal StationProcess Station => _station!;
    public string ArchiveFolder => Path.Combine(Station.Folder, "archive");

    public async Task InitializeAsync()
    {
        _sim = await SimulatorProcess.StartAsync("--mode", "512");
        _station = new StationProcess(_sim, [$"--Station:Archive:Port={Port}"]);
        await _station.StartAsync();
    }

    /// <summary>dcmtk's echoscu, calling as the station itself would.</summary>
    public (int Code, string Output) Echoscu() =>
        PeerProcess.Run("echoscu", "-aet", "CATHLAB", "-aec", ArchiveAe, "127.0.0.1", Port.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public Task DisposeAsync()
    {
        _station?.Dispose();
        _sim?.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>
/// Issue 24 against the real station process: idle sockets cannot lock dcmtk out, the process's resident memory stays
/// within a stated bound while peers flood the archive, and the hostile shapes leave it serving. Figures are printed.
/// </summary>
[Collection(HilCollection.Name)]
public sealed class ArchiveUnderHostilePeersTests(ArchiveStation archive, ITestOutputHelper output) : IClassFixture<ArchiveStation>
{
    /// <summary>What the archive may add to the station's resident memory under any of these floods. Its own buffers are
    /// 8 associations × ~0.3 MiB and 16 pending connections × ≤ 0.2 MiB; the rest is room for the GC's heap growth.</summary>
    private const long GrowthBound = 160L << 20;

    [Fact]
    public async Task Eight_idle_sockets_do_not_lock_a_real_echoscu_out()
    {
        using var idle = new IdleSockets(archive.Port);
        await idle.OpenAsync(8);
        var (code, text) = archive.Echoscu();
        Assert.True(code == 0, text);
    }

    [Fact]
    public async Task Memory_stays_bounded_while_8_peers_send_300_MB_echoes_and_300_half_open_requests_send_1_MiB_each()
    {
        var statuses = await WithinTheMemoryBoundAsync("8 × 300 MB C-ECHO data sets and 300 × 1 MiB half-open A-ASSOCIATE-RQ", async () =>
        {
            var halfOpen = HalfOpenRequestsAsync(300, 1 << 20);
            var echoes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => EchoWithDataSetAsync(300_000_000))).WaitAsync(TimeSpan.FromMinutes(8));
            await halfOpen.WaitAsync(TimeSpan.FromMinutes(8));
            return echoes;
        });
        Assert.All(statuses, s => Assert.Equal((ushort)0, s));
    }

    [Fact]
    public async Task The_hostile_shapes_leave_the_station_serving_within_the_memory_bound()
    {
        const int rounds = 25 * HostileShapes.Count;
        var wrong = await WithinTheMemoryBoundAsync($"{rounds} hostile connections ({HostileShapes.Count} shapes)",
            () => new HostileShapes(archive.Port, ArchiveStation.ArchiveAe, seed: 24).RunRoundsAsync(rounds));
        Assert.Empty(wrong);
        await Poll.UntilAsync(() => Directory.GetFiles(archive.ArchiveFolder, "*.part").Length == 0, () => "a cut-off transfer left its part file");
        Assert.All(Directory.GetFiles(archive.ArchiveFolder), f => Assert.True(Dicom.Uids.DicomUidGenerator.IsValid(Path.GetFileNameWithoutExtension(f)), f));
    }

    /// <summary>Runs a flood against the archive, prints the station's resident memory before, at its peak and after, and
    /// checks the growth against <see cref="GrowthBound"/> and that dcmtk's echoscu is still served.</summary>
    private async Task<T> WithinTheMemoryBoundAsync<T>(string flood, Func<Task<T>> run)
    {
        using var memory = new ProcessMemory(archive.Station.ProcessId);
        var before = memory.ResidentBytes;
        memory.ResetPeak();
        var result = await run();
        var peak = memory.PeakBytes;
        output.WriteLine($"{flood}: station RSS before {before >> 20} MiB, peak {peak >> 20} MiB, after {memory.ResidentBytes >> 20} MiB, " +
            $"growth {(peak - before) >> 20} MiB (bound {GrowthBound >> 20} MiB)");
        Assert.True(peak - before < GrowthBound, $"RSS grew from {before >> 20} to {peak >> 20} MiB during {flood}");
        var (code, text) = archive.Echoscu();
        Assert.True(code == 0, text);
        return result;
    }

    private async Task<ushort?> EchoWithDataSetAsync(long length)
    {
        await using var peer = await RawDicomPeer.ConnectAsync(archive.Port);
        var answer = await peer.AssociateAsync(RawDicomPeer.Encode(RawDicomPeer.Request(ArchiveStation.ArchiveAe, callingAe: "CATHLAB")));
        Assert.Equal(PduType.AssociateAccept, answer.Type);
        await peer.SendAsync(RawDicomPeer.PData((1, true, true, RawDicomPeer.EchoCommand(1, withDataSet: true))));
        await peer.SendDataSetAsync(1, length, pduLength: 256 * 1024);
        var response = await peer.ReadPduAsync();
        return response is { } r ? RawDicomPeer.CommandOf(r.Body.ToArray()).Status : null;
    }

    /// <summary>Connections that each start an A-ASSOCIATE-RQ declaring <paramref name="bytes"/>, send all but one byte of it and hold.</summary>
    private async Task HalfOpenRequestsAsync(int connections, int bytes)
    {
        var chunk = new byte[64 << 10];
        var sockets = new List<TcpClient>();
        try
        {
            await Task.WhenAll(Enumerable.Range(0, connections).Select(async _ =>
            {
                var socket = new TcpClient();
                lock (sockets) sockets.Add(socket);
                try
                {
                    await socket.ConnectAsync(IPAddress.Loopback, archive.Port);
                    var stream = socket.GetStream();
                    var header = new byte[6];
                    header[0] = (byte)PduType.AssociateRequest;
                    BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(2), (uint)bytes);
                    await stream.WriteAsync(header);
                    for (int sent = 0; sent < bytes - 1;)
                    {
                        int n = Math.Min(chunk.Length, bytes - 1 - sent);
                        await stream.WriteAsync(chunk.AsMemory(0, n));
                        sent += n;
                    }
                }
                catch (Exception e) when (e is IOException or SocketException)
                {
                    // the archive closed on us: what a hostile sender should get
                }
            }));
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }
    }
}
