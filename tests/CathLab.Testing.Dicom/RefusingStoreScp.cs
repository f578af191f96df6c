using CathLab.Dicom.Network.Dimse;
using CathLab.Dicom.Network.Services;

namespace CathLab.Testing;

/// <summary>A storage SCP that answers every C-STORE with one fixed failure status, as a PACS that refuses an object does.</summary>
public sealed class RefusingStoreScp(ushort status, string comment) : IDimseServiceProvider
{
    public int Requests;

    public bool Supports(string abstractSyntax) => abstractSyntax.StartsWith(WellKnownUids.StorageSopClassRoot, StringComparison.Ordinal);

    public string? ChooseTransferSyntax(string abstractSyntax, IReadOnlyList<string> offered) => offered.FirstOrDefault();

    public Stream? OpenDataSetSink(byte contextId, string transferSyntax, CommandSet command) => Stream.Null;

    public async Task HandleAsync(DimseRequest request, CancellationToken cancellation)
    {
        Interlocked.Increment(ref Requests);
        await request.RespondAsync(status, errorComment: comment, cancellation: cancellation);
    }
}
