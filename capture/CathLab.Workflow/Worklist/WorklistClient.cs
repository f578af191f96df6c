using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Network.Services;
using CathLab.Dicom.Network.Services.Find;
using CathLab.Dicom.Network.Status;

namespace CathLab.Workflow.Worklist;

/// <summary>Asks the hospital's Modality Worklist provider (RIS) for scheduled steps and reads them into <see cref="WorklistItem"/>s.</summary>
public sealed class WorklistClient(DicomPeer provider, AssociationOptions? options = null)
{
    private readonly WorklistFindScu _scu = new(provider, options ?? new AssociationOptions());

    /// <exception cref="WorklistException">the provider is unreachable (try later) or refused the query.</exception>
    public async Task<WorklistResult> QueryAsync(WorklistMatch match, CancellationToken cancellation = default)
    {
        var identifier = WorklistIdentifier.For(match);
        FindResult found;
        try
        {
            found = await _scu.FindAsync(identifier, cancellation).ConfigureAwait(false);
        }
        catch (DimseFailureException e)
        {
            throw new WorklistException($"the worklist at {Describe()} refused the query: {e.Status}", WorklistFailure.Refused, e);
        }
        catch (DicomNetworkException e) when (e.IsTransient)
        {
            throw new WorklistException($"the worklist at {Describe()} is not reachable now ({e.Message}); try again later or start an unscheduled exam",
                WorklistFailure.Unavailable, e);
        }
        catch (DicomNetworkException e)
        {
            throw new WorklistException($"the worklist at {Describe()} cannot be queried ({e.Message}); check its AE title, host and port",
                WorklistFailure.Refused, e);
        }
        var items = new List<WorklistItem>();
        var malformed = new List<MalformedWorklistItem>();
        foreach (var m in found.Matches)
        {
            if (WorklistItemReader.TryRead(m, out var item, out var reason)) items.Add(item!);
            else malformed.Add(new MalformedWorklistItem(reason!, m));
        }
        return new WorklistResult(items, malformed);
    }

    private string Describe() => $"{provider.CalledAeTitle}@{provider.Host}:{provider.Port}";
}
