using CathLab.Station.Configuration;
using CathLab.Station.Control;
using CathLab.Workflow;
using CathLab.Workflow.Worklist;

namespace CathLab.Station.Exam;

/// <summary>The station's last worklist answer, by the id the console shows for each entry, so that an exam is started
/// from an entry the technician saw. Each query replaces what the one before it found.</summary>
public sealed class WorklistCache(ExamWorkflow workflow, StationOptions options, TimeProvider time)
{
    private readonly Lock _gate = new();
    private Dictionary<string, WorklistItem> _items = new(StringComparer.Ordinal);

    public async Task<IReadOnlyList<WorklistEntryView>> QueryAsync(WorklistQuery query, CancellationToken cancellationToken)
    {
        var day = query.Date ?? DateOnly.FromDateTime(time.GetLocalNow().DateTime);
        var match = WorklistMatch.ForStation(options.AeTitle, day) with { PatientName = query.PatientName, PatientId = query.PatientId };
        IReadOnlyList<WorklistItem> items;
        try
        {
            items = await workflow.QueryWorklistAsync(match, cancellationToken);
        }
        catch (WorklistException e)
        {
            throw new StationRefusedException(e.Message);
        }
        var found = new Dictionary<string, WorklistItem>(StringComparer.Ordinal);
        var views = new List<WorklistEntryView>();
        foreach (var item in items)
        {
            string id = IdOf(item);
            found[id] = item;
            views.Add(new WorklistEntryView(id, item.PatientName, item.PatientId, item.AccessionNumber, item.RequestedProcedureDescription,
                item.ScheduledStart, item.StudyInstanceUid));
        }
        lock (_gate) _items = found;
        return views;
    }

    public WorklistItem Find(string id)
    {
        lock (_gate)
        {
            return _items.TryGetValue(id, out var item) ? item
                : throw new StationRefusedException($"worklist item '{id}' is not in the last worklist query: query the worklist again");
        }
    }

    private static string IdOf(WorklistItem item) =>
        item.ScheduledProcedureStepId.Length > 0 ? item.ScheduledProcedureStepId
        : item.AccessionNumber.Length > 0 ? item.AccessionNumber : item.StudyInstanceUid;
}
