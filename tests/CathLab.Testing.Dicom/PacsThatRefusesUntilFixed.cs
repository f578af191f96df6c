using CathLab.Dicom.Network.Dimse;
using CathLab.Dicom.Network.Services;
using CathLab.Dicom.Network.Services.Store;

namespace CathLab.Testing;

/// <summary>A PACS that refuses every C-STORE with one failure status (as <see cref="RefusingStoreScp"/>) until it is
/// <see cref="Fixed"/>, and from then on stores what it receives into a folder (as <see cref="StoreScp"/>): the site
/// whose problem was mended and whose objects are sent again. Switch it between associations.</summary>
public sealed class PacsThatRefusesUntilFixed(string folder, ushort status, string comment) : IDimseServiceProvider
{
    private readonly RefusingStoreScp _refusing = new(status, comment);
    private readonly StoreScp _storing = new(folder);
    private volatile bool _fixed;

    public bool Fixed
    {
        get => _fixed;
        set => _fixed = value;
    }

    public int Refused => _refusing.Requests;

    private IDimseServiceProvider Current => _fixed ? _storing : _refusing;

    public bool Supports(string abstractSyntax) => _storing.Supports(abstractSyntax);

    public string? ChooseTransferSyntax(string abstractSyntax, IReadOnlyList<string> offered) => _storing.ChooseTransferSyntax(abstractSyntax, offered);

    public Stream? OpenDataSetSink(byte contextId, string transferSyntax, CommandSet command) => Current.OpenDataSetSink(contextId, transferSyntax, command);

    public Task HandleAsync(DimseRequest request, CancellationToken cancellation) => Current.HandleAsync(request, cancellation);
}
