using System.Collections.Concurrent;
using CathLab.Dicom.Data;
using CathLab.Dicom.Dictionary;
using CathLab.Dicom.IO;
using CathLab.Dicom.Network.Dimse;

namespace CathLab.Dicom.Network.Services.Mpps;

/// <summary>
/// Modality Performed Procedure Step as SCP: validates N-CREATE and N-SET against PS3.4 §F.7.2 and records the
/// result. Neither Orthanc nor dcmtk offers one, so this is both the station's own receiver and the tests' peer.
/// </summary>
public sealed class MppsScp : IDimseServiceProvider
{
    private static readonly (DicomTag Tag, string Name)[] RequiredOnCreate =
    [
        (DicomTags.PerformedProcedureStepID, "Performed Procedure Step ID"),
        (DicomTags.PerformedStationAETitle, "Performed Station AE Title"),
        (DicomTags.PerformedProcedureStepStartDate, "Performed Procedure Step Start Date"),
        (DicomTags.PerformedProcedureStepStartTime, "Performed Procedure Step Start Time"),
        (DicomTags.Modality, "Modality"),
    ];

    private readonly ConcurrentDictionary<string, MppsRecord> _records = new();

    public IReadOnlyDictionary<string, MppsRecord> Records => _records;

    public bool Supports(string abstractSyntax) => abstractSyntax == WellKnownUids.ModalityPerformedProcedureStep;

    public string? ChooseTransferSyntax(string abstractSyntax, IReadOnlyList<string> offered) =>
        TransferSyntaxChoice.FirstPreferred(WellKnownUids.UncompressedTransferSyntaxes, offered);

    public Task HandleAsync(DimseRequest request, CancellationToken cancellation)
    {
        DicomDataSet attributes;
        try
        {
            attributes = request.Message.DataSet is { } data ? DataSetCodec.Decode(data, request.Message.TransferSyntax) : new DicomDataSet();
        }
        catch (DicomFormatException e)
        {
            return request.RespondAsync(0xA900, errorComment: $"data set cannot be decoded: {e.Message}", cancellation: cancellation);
        }
        var (status, comment) = request.Command.Field switch
        {
            CommandField.NCreateRequest => Create(request.Command.AffectedSopInstanceUid, attributes),
            CommandField.NSetRequest => Update(request.Command.RequestedSopInstanceUid, attributes),
            _ => ((ushort)0x0211, "MPPS takes N-CREATE and N-SET only"),
        };
        return request.RespondAsync(status, errorComment: comment, cancellation: cancellation);
    }

    private (ushort, string?) Create(string? instance, DicomDataSet attributes)
    {
        if (string.IsNullOrEmpty(instance))
        {
            return (0x0120, "Affected SOP Instance UID is required: this SCP does not assign one");
        }
        foreach (var (tag, name) in RequiredOnCreate)
        {
            if (string.IsNullOrEmpty(attributes.GetStringOrDefault(tag)))
            {
                return (0x0120, $"{name} missing");
            }
        }
        if (!attributes.TryGetSequence(DicomTags.ScheduledStepAttributesSequence, out var steps) || steps.Items.Count == 0)
        {
            return (0x0120, "Scheduled Step Attributes Sequence missing or empty");
        }
        if (attributes.GetStringOrDefault(DicomTags.PerformedProcedureStepStatus) != MppsStatus.InProgress)
        {
            return (0x0106, "Performed Procedure Step Status must be IN PROGRESS on N-CREATE");
        }
        var record = new MppsRecord(instance, attributes, ["N-CREATE"]);
        return _records.TryAdd(instance, record) ? ((ushort)0x0000, null) : ((ushort)0x0111, "this performed procedure step exists already");
    }

    private (ushort, string?) Update(string? instance, DicomDataSet modifications)
    {
        if (string.IsNullOrEmpty(instance) || !_records.TryGetValue(instance, out var record))
        {
            return (0x0112, "no such performed procedure step");
        }
        lock (record)
        {
            if (record.Status != MppsStatus.InProgress)
            {
                return (0x0110, $"performed procedure step is {record.Status} and may no longer be updated");
            }
            var newStatus = modifications.GetStringOrDefault(DicomTags.PerformedProcedureStepStatus);
            if (newStatus is not (null or MppsStatus.InProgress or MppsStatus.Completed or MppsStatus.Discontinued))
            {
                return (0x0106, $"Performed Procedure Step Status '{newStatus}' is not a defined term");
            }
            var merged = record.Attributes.Clone();
            foreach (var e in modifications)
            {
                merged.Add(e);
            }
            if (newStatus is MppsStatus.Completed or MppsStatus.Discontinued)
            {
                if (string.IsNullOrEmpty(merged.GetStringOrDefault(DicomTags.PerformedProcedureStepEndDate))
                    || string.IsNullOrEmpty(merged.GetStringOrDefault(DicomTags.PerformedProcedureStepEndTime)))
                {
                    return (0x0121, $"{newStatus} needs Performed Procedure Step End Date and Time");
                }
                if (newStatus == MppsStatus.Completed && (!merged.TryGetSequence(DicomTags.PerformedSeriesSequence, out var series) || series.Items.Count == 0))
                {
                    return (0x0121, "COMPLETED needs a Performed Series Sequence item");
                }
            }
            _records[instance] = record with { Attributes = merged, History = [.. record.History, $"N-SET {newStatus}"] };
        }
        return (0x0000, null);
    }
}
