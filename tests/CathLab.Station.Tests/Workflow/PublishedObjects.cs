using System.Text.Json;
using CathLab.Publishing.Journal;
using CathLab.Station.Control;
using CathLab.Testing;

namespace CathLab.Station.Tests.Workflow;

/// <summary>One object as Orthanc holds it: its REST id and the tags the workflow checks.</summary>
internal sealed record StoredObject(string OrthancId, string SopInstanceUid, string Modality, string StudyInstanceUid, string SeriesInstanceUid, int Frames);

/// <summary>What the station published, seen from both ends: the outbox's account and Orthanc's.</summary>
internal static class PublishedObjects
{
    /// <summary>Waits until the outbox holds <paramref name="count"/> items, all committed, and the spool no object file.</summary>
    public static Task CommittedAsync(Hospital hospital, int count) => Poll.UntilAsync(
        () => hospital.Control.Outbox is var items && items.Count == count && items.All(i => i.State == DeliveryState.Committed)
              && Directory.GetFiles(hospital.Station.SpoolFolder, "*.dcm").Length == 0,
        () => $"not every object committed, or the spool still holds files ({string.Join(", ", Directory.GetFiles(hospital.Station.SpoolFolder).Select(Path.GetFileName))})\n{hospital.Describe()}");

    public static async Task<IReadOnlyList<StoredObject>> InOrthancAsync(OrthancPeer orthanc)
    {
        var stored = new List<StoredObject>();
        foreach (var id in await orthanc.InstanceIdsAsync())
        {
            var tags = await orthanc.TagsAsync(id);
            string Text(string name) => tags.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
            stored.Add(new StoredObject(id, Text("SOPInstanceUID"), Text("Modality"), Text("StudyInstanceUID"), Text("SeriesInstanceUID"),
                int.TryParse(Text("NumberOfFrames"), out var frames) ? frames : 0));
        }
        return stored;
    }

    /// <summary>Every SOP instance once in Orthanc, and exactly the ones the outbox journalled.</summary>
    public static async Task<IReadOnlyList<StoredObject>> AgreeAsync(Hospital hospital, int count)
    {
        var stored = await InOrthancAsync(hospital.Orthanc);
        Assert.Equal(count, stored.Count);
        Assert.Equal(count, stored.Select(s => s.SopInstanceUid).Distinct().Count());
        Assert.Equal(hospital.Control.Outbox.Select(i => i.SopInstanceUid).Order(), stored.Select(s => s.SopInstanceUid).Order());
        return stored;
    }
}
