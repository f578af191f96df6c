using CathLab.Dicom.IO;
using CathLab.Dicom.Network.Dimse;
using CathLab.Dicom.Network.Part10;
using CathLab.Dicom.Network.Pdus;
using CathLab.Dicom.Network.Services;
using CathLab.Dicom.Network.Services.Store;
using CathLab.Dicom.Network.Status;

namespace CathLab.Dicom.Network.Client;

/// <summary>The steps of a C-STORE run: read each file's meta header, propose one presentation context per (SOP class,
/// transfer syntax) pair the objects can be sent in (their own syntax and those they can be transcoded to), and send them
/// one after another on an association, each in the first of its syntaxes the peer accepted.</summary>
internal static class StoreObjects
{
    /// <summary>One association holds at most 128 presentation contexts (PS3.8 §9.3.2.2: odd ids 1 to 255).</summary>
    public const int MaxContexts = 128;

    /// <summary>Reads the meta header of each request; one that cannot be sent as asked is completed at once, never sent.</summary>
    public static List<PreparedObject> Prepare(IEnumerable<StoreRequest> requests, Action<StoreResult> complete)
    {
        var ready = new List<PreparedObject>();
        foreach (var request in requests)
        {
            Part10Meta meta;
            IReadOnlyList<string> syntaxes;
            try
            {
                meta = Part10Meta.Read(request.Path);
                syntaxes = StoreSyntaxes.For(request.Path, meta);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                complete(NotSent(request, null, $"the file {request.Path} is gone", FailureKind.Permanent, NetworkFailureReason.UnusableObject));
                continue;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or DicomFormatException or EndOfStreamException)
            {
                complete(NotSent(request, null, $"the file {request.Path} cannot be read: {e.Message}", FailureKind.Permanent, NetworkFailureReason.UnusableObject));
                continue;
            }
            if (request.ExpectedSopInstanceUid is { } expected && meta.SopInstanceUid != expected)
            {
                complete(NotSent(request, meta.SopInstanceUid, $"the file {request.Path} now holds SOP instance {meta.SopInstanceUid}, not {expected}",
                    FailureKind.Permanent, NetworkFailureReason.UnusableObject));
                continue;
            }
            ready.Add(new PreparedObject(request, meta, syntaxes));
        }
        return ready;
    }

    /// <summary>Splits the objects, in order, into runs that each need at most <see cref="MaxContexts"/> presentation contexts.</summary>
    public static IEnumerable<IReadOnlyList<PreparedObject>> ByAssociation(IReadOnlyList<PreparedObject> objects)
    {
        var run = new List<PreparedObject>();
        var syntaxes = new HashSet<(string, string)>();
        foreach (var item in objects)
        {
            if (syntaxes.Union(item.Syntaxes).Count() > MaxContexts)
            {
                yield return run;
                run = [];
                syntaxes.Clear();
            }
            syntaxes.UnionWith(item.Syntaxes);
            run.Add(item);
        }
        if (run.Count > 0)
        {
            yield return run;
        }
    }

    /// <summary>One context per (SOP class, transfer syntax) pair, each offering one transfer syntax, so that the peer says
    /// which of them it takes and the sender, not the peer, picks among those.</summary>
    public static IReadOnlyList<PresentationContextProposal> Contexts(IEnumerable<PreparedObject> objects) =>
        ScuAssociation.Contexts([.. objects.SelectMany(o => o.Syntaxes).Distinct().Select(s => (s.SopClassUid, (IReadOnlyList<string>)[s.TransferSyntaxUid]))]);

    /// <summary>Sends the objects in order on the channel's association. Returns false when the association broke off (or was
    /// aborted because a file failed mid-send): the objects after that one were not taken and are the caller's to report.</summary>
    public static async Task<bool> SendAllAsync(DimseChannel channel, IEnumerable<PreparedObject> objects, Action<StoreResult> complete,
        IStoreProgress? progress, CancellationToken cancellation)
    {
        foreach (var (request, meta, syntaxes) in objects)
        {
            var context = syntaxes.Select(ts => channel.Association.FindContext(meta.SopClassUid, ts)).FirstOrDefault(c => c is not null);
            if (context is null)
            {
                complete(NotSent(request, meta.SopInstanceUid,
                    $"{channel.Association.CalledAeTitle} accepted no presentation context for SOP class {meta.SopClassUid} in transfer syntax {string.Join(" or ", syntaxes)}",
                    FailureKind.Permanent, NetworkFailureReason.NoAcceptablePresentationContext));
                continue;
            }
            progress?.Sending(request);
            try
            {
                var status = context.TransferSyntax == meta.TransferSyntaxUid
                    ? await StoreScu.SendOneAsync(channel, context, request.Path, meta, cancellation).ConfigureAwait(false)
                    : await StoreScu.SendTranscodedAsync(channel, context, request.Path, meta, cancellation).ConfigureAwait(false);
                complete(new StoreResult(request, meta.SopInstanceUid, status));
            }
            catch (DicomNetworkException e)
            {
                complete(new StoreResult(request, meta.SopInstanceUid, null, e));
                return false;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await channel.Association.AbortAsync(AbortReason.NotSpecified).ConfigureAwait(false); // the peer holds half a message
                complete(new StoreResult(request, meta.SopInstanceUid, null, new DicomNetworkException(
                    $"reading {request.Path} while sending failed: {e.Message}", FailureKind.Transient, NetworkFailureReason.UnusableObject, e)));
                return false;
            }
            catch (Exception e) when (e is DicomFormatException or NotSupportedException or ArgumentException)
            {
                await channel.Association.AbortAsync(AbortReason.NotSpecified).ConfigureAwait(false);
                complete(new StoreResult(request, meta.SopInstanceUid, null, new DicomNetworkException(
                    $"transcoding {request.Path} to {context.TransferSyntax} failed: {e.Message}", FailureKind.Permanent, NetworkFailureReason.UnusableObject, e)));
                return false;
            }
        }
        return true;
    }

    public static StoreResult NotSent(StoreRequest request, string? sopInstanceUid, string why, FailureKind kind, NetworkFailureReason reason) =>
        new(request, sopInstanceUid, null, new DicomNetworkException(why, kind, reason), Attempted: false);
}
