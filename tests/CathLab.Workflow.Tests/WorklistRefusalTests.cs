using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Network.Dimse;
using CathLab.Dicom.Network.Services;
using CathLab.Workflow.DoseReporting;
using CathLab.Workflow.Patients;
using CathLab.Workflow.ProcedureStep;
using CathLab.Workflow.Worklist;

namespace CathLab.Workflow.Tests;

/// <summary>
/// A worklist provider that answers every C-FIND with "Unable to process" (C001), served by the toolkit's DicomServer:
/// neither wlmscpfs nor Orthanc can be made to fail a well-formed query on purpose.
/// </summary>
public sealed class WorklistRefusalTests : IAsyncLifetime
{
    private sealed class RefusingProvider : IDimseServiceProvider
    {
        public bool Supports(string abstractSyntax) => abstractSyntax == WellKnownUids.ModalityWorklistFind;

        public string? ChooseTransferSyntax(string abstractSyntax, IReadOnlyList<string> offered) =>
            WellKnownUids.UncompressedTransferSyntaxes.FirstOrDefault(offered.Contains);

        public Task HandleAsync(DimseRequest request, CancellationToken cancellation) =>
            request.RespondAsync(0xC001, errorComment: "worklist database offline", cancellation: cancellation);
    }

    private DicomServer? _server;

    public Task InitializeAsync()
    {
        _server = DicomServer.Start(new DicomServerOptions { AeTitle = "RIS" }, new RefusingProvider());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }

    [Fact]
    public async Task A_failure_status_is_reported_with_its_code_and_comment()
    {
        var client = new WorklistClient(new DicomPeer("127.0.0.1", _server!.Port, "RIS", "CATHLAB"),
            new AssociationOptions { ArtimTimeout = TimeSpan.FromSeconds(10), DimseTimeout = TimeSpan.FromSeconds(30) });
        var error = await Assert.ThrowsAsync<WorklistException>(() => client.QueryAsync(WorklistMatch.ForStation("CATHLAB", new DateOnly(2026, 11, 24))));
        Assert.Equal(WorklistFailure.Refused, error.Failure);
        Assert.Contains("refused the query", error.Message, StringComparison.Ordinal);
        Assert.Contains("C001", error.Message, StringComparison.Ordinal);
        Assert.Contains("worklist database offline", error.Message, StringComparison.Ordinal);
    }
}
