using CathLab.Dicom.Iods.Context;
using CathLab.Dicom.Iods.PresentationState;
using CathLab.Dicom.Iods.Xa;
using CathLab.Dicom.IO;
using CathLab.Dicom.Uids;
using CathLab.Discussion;
using CathLab.LiveFeed.Review;
using CathLab.Station.Configuration;
using CathLab.Station.Control;
using CathLab.Station.Exam;

namespace CathLab.Station.Discussion;

/// <summary>A discussion's capture as a Grayscale Softcopy Presentation State of the run's frame, written into the
/// spool and handed to the outbox like the runs and the dose report. The states of one study form one series.</summary>
internal sealed class GspsFrameCapture(IRecordedRunCatalog catalog, OutboxService outbox, EquipmentInfo equipment, StationOptions options) : IFrameCapture
{
    public const int SeriesNumber = 900;

    public string Capture(CaptureRequest request)
    {
        if (catalog.RunsOf(request.ExamId).FirstOrDefault(r => r.RunId == request.RunId) is not { } run)
            throw new CaptureRefusedException($"exam {request.ExamId} has no run '{request.RunId}'");
        try
        {
            PresentedImage image;
            using (var reader = XaRunReader.Open(run.ObjectPath))
            {
                // While the run is recorded, its provisional header counts fewer frames than are on disk.
                image = PresentedImage.From(reader.DataSet) with { Frames = reader.FrameCount };
            }
            string sopInstanceUid = DicomUidGenerator.NewUid();
            var content = new PresentationStateContent
            {
                Image = image,
                Frame = request.Frame,
                View = new PresentationView(request.View.Level, request.View.Window, request.View.Zoom),
                Marks = [.. request.Annotations.Select(Mark)],
                SopInstanceUid = sopInstanceUid,
                SeriesInstanceUid = DicomUidGenerator.FromName($"cathlab-discussion-captures:{image.StudyInstanceUid}"),
                SeriesNumber = SeriesNumber,
                InstanceNumber = request.Number,
                Equipment = equipment,
                Description = $"Discussion capture: run {run.Number} {run.Protocol}, frame {request.Frame}",
                CreatorName = request.By.Name,
                CreatedAt = request.At.ToLocalTime().DateTime,
            };
            string path = Path.Combine(outbox.SpoolFolder, $"{sopInstanceUid}.dcm");
            // Written under another name first: the outbox's sweep at start takes in only complete .dcm files.
            string writing = path + ".writing";
            GspsBuilder.Save(content, writing, options.AeTitle);
            File.Move(writing, path);
            outbox.Publish(path, sopInstanceUid, content.Description);
            return sopInstanceUid;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DicomFormatException or ArgumentException or StationRefusedException)
        {
            throw new CaptureRefusedException(e.Message, e);
        }
    }

    private static PresentationMark Mark(Annotation a) => new(a.Kind switch
    {
        "arrow" => PresentationMarkKind.Arrow,
        "marker" => PresentationMarkKind.Marker,
        "text" => PresentationMarkKind.Text,
        "line" => PresentationMarkKind.Line,
        "distance" => PresentationMarkKind.Distance,
        _ => throw new ArgumentException($"annotation {a.Id} is of kind '{a.Kind}', which a presentation state does not draw"),
    }, [.. a.Points.Select(p => (p[0], p[1]))], a.Text);
}
