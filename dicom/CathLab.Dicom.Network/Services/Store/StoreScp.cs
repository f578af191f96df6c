using CathLab.Dicom.Network.Dimse;
using CathLab.Dicom.Uids;
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
        "1.2.840.10008.1.2.4.80", // JPEG-LS lossless
        "1.2.840.10008.1.2.4.81", // JPEG-LS near-lossless
        "1.2.840.10008.1.2.4.70", // JPEG lossless SV1
        "1.2.840.10008.1.2.4.50", // JPEG baseline
        "1.2.840.10008.1.2.4.90", // JPEG 2000 lossless
        "1.2.840.10008.1.2.4.91", // JPEG 2000
        "1.2.840.10008.1.2.5", // RLE lossless
        WellKnownUids.ExplicitVrBigEndian,
    ];

    private readonly IReadOnlyList<string> _transferSyntaxes = acceptedTransferSyntaxes ?? DefaultTransferSyntaxes;

    public string Directory { get; } = PrepareDirectory(directory);

    /// <summary>Called after each object is complete on disk, before the success response goes out.</summary>
    public Func<StoredInstance, CancellationToken, ValueTask>? Stored { get; init; }

    public bool Supports(string abstractSyntax) => abstractSyntax.StartsWith(WellKnownUids.StorageSopClassRoot, StringComparison.Ordinal);

    public string? ChooseTransferSyntax(string abstractSyntax, IReadOnlyList<string> offered) =>
        TransferSyntaxChoice.FirstPreferred(_transferSyntaxes, offered);

    public Stream? OpenDataSetSink(byte contextId, string transferSyntax, CommandSet command)
    {
        if (command.Field != CommandField.CStoreRequest || !IsStorableUid(command.AffectedSopInstanceUid))
        {
            return Stream.Null; // answered with a failure in HandleAsync; the data set is drained
        }
        try
        {
            var file = new PartFile(Directory, command.AffectedSopInstanceUid!);
            Part10Meta.WriteHeader(file, command.AffectedSopClassUid ?? "", command.AffectedSopInstanceUid!, transferSyntax, "CATHLAB");
            return file;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Stream.Null; // answered A700 in HandleAsync
        }
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
            await request.RespondAsync(0x0122, errorComment: "SOP class differs from the presentation context", cancellation: cancellation).ConfigureAwait(false);
            return; // the part file, if any, is deleted when the server disposes the message
        }
        if (request.Message.DataSet is null || !IsStorableUid(command.AffectedSopInstanceUid))
        {
            await request.RespondAsync(0xA900, errorComment: "missing data set, or the SOP Instance UID is not a UID (PS3.5 §9.1)", cancellation: cancellation).ConfigureAwait(false);
            return;
        }
        if (request.Message.DataSet is not PartFile { WriteError: null } file)
        {
            var why = (request.Message.DataSet as PartFile)?.WriteError?.Message ?? "the archive folder cannot be written";
            await request.RespondAsync(0xA700, errorComment: $"out of resources: {why}", cancellation: cancellation).ConfigureAwait(false);
            return;
        }
        long length;
        try
        {
            length = await file.CommitAsync(cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await request.RespondAsync(0xA700, errorComment: $"out of resources: {e.Message}", cancellation: cancellation).ConfigureAwait(false);
            return;
        }
        if (Stored is { } stored)
        {
            await stored(new StoredInstance(file.FinalPath, command.AffectedSopClassUid!, command.AffectedSopInstanceUid!, request.Context.TransferSyntax,
                request.Association.CallingAeTitle, length), cancellation).ConfigureAwait(false);
        }
        await request.RespondAsync(0x0000, cancellation: cancellation).ConfigureAwait(false);
    }

    /// <summary>A UID as PS3.5 §9.1 defines it (digits in dot-separated components, no leading zeros, at most 64 characters):
    /// what is safe as a file name, too.</summary>
    private static bool IsStorableUid(string? uid) => DicomUidGenerator.IsValid(uid);

    /// <summary>Creates the folder and removes the part files of transfers a killed process never finished.</summary>
    private static string PrepareDirectory(string directory)
    {
        var full = System.IO.Directory.CreateDirectory(directory).FullName;
        foreach (var leftover in System.IO.Directory.EnumerateFiles(full, "*" + PartFile.Extension))
        {
            File.Delete(leftover);
        }
        return full;
    }
}
