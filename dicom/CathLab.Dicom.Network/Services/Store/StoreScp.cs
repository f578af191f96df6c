using CathLab.Dicom.Network.Dimse;
using CathLab.Dicom.Network.Part10;

namespace CathLab.Dicom.Network.Services.Store;

/// <summary>
/// Storage SOP classes as SCP: each received data set is written straight to disk behind a Part 10 meta header,
/// fragment by fragment, into a temporary file that is renamed to &lt;SOP Instance UID&gt;.dcm once complete.
/// </summary>
public sealed class StoreScp(string directory, IReadOnlyList<string>? acceptedTransferSyntaxes = null) : IDimseServiceProvider
{
    /// <summary>What we accept by default: uncompressed first, then the usual compressed syntaxes, stored as received.</summary>
    public static readonly IReadOnlyList<string> DefaultTransferSyntaxes =
    [
        WellKnownUids.ExplicitVrLittleEndian,
        WellKnownUids.ImplicitVrLittleEndian,
        "1.2.840.10008.1.2.4.70", // JPEG lossless SV1
        "1.2.840.10008.1.2.4.50", // JPEG baseline
        "1.2.840.10008.1.2.4.90", // JPEG 2000 lossless
        "1.2.840.10008.1.2.4.91", // JPEG 2000
        "1.2.840.10008.1.2.5", // RLE lossless
        WellKnownUids.ExplicitVrBigEndian,
    ];

    private readonly IReadOnlyList<string> _transferSyntaxes = acceptedTransferSyntaxes ?? DefaultTransferSyntaxes;

    public string Directory { get; } = System.IO.Directory.CreateDirectory(directory).FullName;

    /// <summary>Called after each object is complete on disk, before the success response goes out.</summary>
    public Func<StoredInstance, CancellationToken, ValueTask>? Stored { get; init; }

    public bool Supports(string abstractSyntax) => abstractSyntax.StartsWith(WellKnownUids.StorageSopClassRoot, StringComparison.Ordinal);

    public string? ChooseTransferSyntax(string abstractSyntax, IReadOnlyList<string> offered) =>
        TransferSyntaxChoice.FirstPreferred(_transferSyntaxes, offered);

    public Stream? OpenDataSetSink(byte contextId, string transferSyntax, CommandSet command)
    {
        if (command.Field != CommandField.CStoreRequest || command.AffectedSopInstanceUid is not { Length: > 0 } instance || !IsSafeUid(instance))
        {
            return Stream.Null; // answered with a failure in HandleAsync; the data set is drained
        }
        var file = new FileStream(TempPath(instance), FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16, FileOptions.SequentialScan);
        Part10Meta.WriteHeader(file, command.AffectedSopClassUid ?? "", instance, transferSyntax, "CATHLAB");
        return file;
    }

    public async Task HandleAsync(DimseRequest request, CancellationToken cancellation)
    {
        var command = request.Command;
        if (command.Field != CommandField.CStoreRequest)
        {
            await request.RespondAsync(0x0211, cancellation: cancellation).ConfigureAwait(false);
            return;
        }
        if (command.AffectedSopClassUid != request.Context.AbstractSyntax)
        {
            await Discard(request).ConfigureAwait(false);
            await request.RespondAsync(0x0122, errorComment: "SOP class differs from the presentation context", cancellation: cancellation).ConfigureAwait(false);
            return;
        }
        if (request.Message.DataSet is not FileStream file || command.AffectedSopInstanceUid is not { } instance)
        {
            await request.RespondAsync(0xA900, errorComment: "missing data set or SOP instance UID", cancellation: cancellation).ConfigureAwait(false);
            return;
        }
        var length = file.Length;
        await file.FlushAsync(cancellation).ConfigureAwait(false);
        await file.DisposeAsync().ConfigureAwait(false);
        var path = Path.Combine(Directory, instance + ".dcm");
        File.Move(TempPath(instance), path, overwrite: true);
        if (Stored is { } stored)
        {
            await stored(new StoredInstance(path, command.AffectedSopClassUid!, instance, request.Context.TransferSyntax, request.Association.CallingAeTitle, length), cancellation).ConfigureAwait(false);
        }
        await request.RespondAsync(0x0000, cancellation: cancellation).ConfigureAwait(false);
    }

    private async Task Discard(DimseRequest request)
    {
        if (request.Message.DataSet is FileStream file && request.Command.AffectedSopInstanceUid is { } instance)
        {
            await file.DisposeAsync().ConfigureAwait(false);
            File.Delete(TempPath(instance));
        }
    }

    private string TempPath(string instance) => Path.Combine(Directory, instance + ".part");

    private static bool IsSafeUid(string uid) => uid.Length <= 64 && uid.All(c => c is '.' or (>= '0' and <= '9'));
}
