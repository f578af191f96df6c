using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Network.Services;
using CathLab.Dicom.Network.Services.Echo;
using CathLab.Dicom.Network.Services.StorageCommitment;
using CathLab.Dicom.Network.Services.Store;
using CathLab.Dicom.Network.Tests.Support;
using CathLab.Testing;

namespace CathLab.Dicom.Network.Tests;

/// <summary>Orthanc as the PACS: our C-STORE lands (checked over its REST API) and its storage commitment report reaches our listener.</summary>
public sealed class OrthancTests : IAsyncLifetime
{
    private const string Station = "CATHLAB";
    private static readonly AssociationOptions Options = new() { ArtimTimeout = TimeSpan.FromSeconds(20), DimseTimeout = TimeSpan.FromSeconds(60) };
    private readonly TempDirectory _temp = new();
    private readonly CommitmentTracker _tracker = new();
    private DicomServer _listener = null!;
    private OrthancPeer _orthanc = null!;

    public Task InitializeAsync()
    {
        _listener = DicomServer.Start(new DicomServerOptions { AeTitle = Station }, new CommitmentReportReceiver(_tracker), new EchoScp());
        _orthanc = new OrthancPeer(Station, _listener.Port).Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _orthanc.Dispose();
        await _listener.DisposeAsync();
        _temp.Dispose();
    }

    private DicomPeer Pacs => new("127.0.0.1", _orthanc.DicomPort, OrthancPeer.AeTitle, Station);

    [Fact]
    public async Task OrthancStoresOurObjectsAndCommitsThemOnANewAssociation()
    {
        var files = Enumerable.Range(0, 3).Select(i => _temp.File($"run{i}.dcm")).ToArray();
        var uids = files.Select((f, i) => SyntheticDicomFile.Write(f, frames: 2 + i, rows: 256, columns: 256)).ToArray();

        var results = await new StoreScu(Pacs, Options).StoreAsync(files, associations: 2);
        Assert.All(results, r => Assert.True(r.Stored, $"{r.Status} {r.Error?.Message}\n{_orthanc.Log}"));

        Assert.Equal(3, (await _orthanc.GetJsonAsync("instances")).GetArrayLength());
        Assert.Equal(1, (await _orthanc.GetJsonAsync("patients")).GetArrayLength());
        Assert.Equal(1, (await _orthanc.GetJsonAsync("studies")).GetArrayLength());
        var stored = new List<string>();
        foreach (var id in (await _orthanc.GetJsonAsync("instances")).EnumerateArray())
        {
            var tags = await _orthanc.GetJsonAsync($"instances/{id.GetString()}/simplified-tags");
            stored.Add(tags.GetProperty("SOPInstanceUID").GetString()!);
            Assert.Equal("CATH001", tags.GetProperty("PatientID").GetString());
        }
        Assert.Equal(uids.Order(), stored.Order());

        var unknown = SyntheticDicomFile.NewUid();
        var scu = new StorageCommitmentScu(Pacs, Options, _tracker) { SameAssociationWait = TimeSpan.FromMilliseconds(500) };
        var (transaction, reportTask) = await scu.RequestAsync(
            [.. uids.Select(u => new SopReference(SyntheticDicomFile.XaSopClass, u)), new SopReference(SyntheticDicomFile.XaSopClass, unknown)]);
        var report = await reportTask.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(transaction, report.TransactionUid);
        Assert.Equal(uids.Order(), report.Committed.Select(c => c.SopInstanceUid).Order());
        var failed = Assert.Single(report.Failed);
        Assert.Equal(unknown, failed.SopInstanceUid);
        Assert.Equal((ushort)0x0112, failed.FailureReason);
        Assert.False(report.AllCommitted);
        Assert.False(report.ArrivedOnSameAssociation);
    }

    [Fact]
    public async Task OrthancAnswersEcho()
    {
        Assert.True((await EchoScu.EchoAsync(Pacs, Options)).IsSuccess);
    }
}
