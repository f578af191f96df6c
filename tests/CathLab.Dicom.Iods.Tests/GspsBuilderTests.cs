using System.Text.Json;
using CathLab.Dicom.Iods.Context;
using CathLab.Dicom.Iods.PresentationState;
using CathLab.Dicom.Iods.Xa;
using CathLab.Dicom.Uids;
using CathLab.Testing;

namespace CathLab.Dicom.Iods.Tests;

public sealed class GspsBuilderTests : IDisposable
{
    private const int Size = 512;
    private const ushort Background = 1000;

    // Prints the state's graphic and text objects as pydicom reads them.
    private const string ReadObjects = """
        import sys, json
        import pydicom
        ds = pydicom.dcmread(sys.argv[1])
        ann = ds.GraphicAnnotationSequence[0]
        ref = ds.ReferencedSeriesSequence[0].ReferencedImageSequence[0]
        voi = ds.SoftcopyVOILUTSequence[0]
        area = ds.DisplayedAreaSelectionSequence[0]
        print(json.dumps({'sop': ds.SOPClassUID, 'modality': ds.Modality, 'layer': ann.GraphicLayer, 'layers': [l.GraphicLayer for l in ds.GraphicLayerSequence],
            'frame': int(ref.ReferencedFrameNumber), 'image': ref.ReferencedSOPInstanceUID, 'shape': ds.PresentationLUTShape,
            'window': [float(voi.WindowCenter), float(voi.WindowWidth)], 'tlhc': [int(v) for v in area.DisplayedAreaTopLeftHandCorner],
            'brhc': [int(v) for v in area.DisplayedAreaBottomRightHandCorner], 'creator': str(ds.ContentCreatorName), 'label': ds.ContentLabel,
            'graphics': [[g.GraphicType, int(g.NumberOfGraphicPoints), [float(v) for v in g.GraphicData]] for g in ann.GraphicObjectSequence],
            'texts': [[t.UnformattedTextValue, [float(v) for v in t.AnchorPoint]] for t in ann.TextObjectSequence]}))
        """;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A recorded run of uniform frames, calibrated at 0.3 mm per pixel with a magnification of 1100/780.</summary>
    private string Run(int frames = 5, double? pitch = 0.3, double? sod = 780)
    {
        var path = _dir.File($"xa-{Guid.NewGuid():N}.dcm");
        var settings = SampleExam.Run(size: Size) with { ImagerPixelSpacingMm = pitch, DistanceSourceToPatientMm = sod };
        using var writer = XaRunWriter.Create(path, SampleExam.Context(DicomUidGenerator.NewUid()), settings);
        var frame = new byte[writer.FrameLength];
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(frame.AsSpan()).Fill(Background);
        for (var i = 0; i < frames; i++) writer.WriteFrame(frame, SampleExam.Record(i));
        writer.Complete();
        return path;
    }

    private static PresentedImage Image(string xa)
    {
        using var reader = XaRunReader.Open(xa);
        return PresentedImage.From(reader.DataSet);
    }

    private static PresentationStateContent Content(PresentedImage image, int frame, IReadOnlyList<PresentationMark> marks, PresentationView? view = null) => new()
    {
        Image = image,
        Frame = frame,
        View = view ?? new PresentationView(2048, 4096),
        Marks = marks,
        SopInstanceUid = DicomUidGenerator.NewUid(),
        SeriesInstanceUid = DicomUidGenerator.NewUid(),
        Equipment = new EquipmentInfo("CathLab One", "LAB1", "cathlab 0.1", "SN-0001", "2.25.118829112347238917243128744"),
        Description = "Case discussion: LCA, frame 3",
        CreatorName = "Grey^Meredith",
        CreatedAt = SampleExam.Start.AddMinutes(40),
    };

    private static readonly PresentationMark[] AllKinds =
    [
        new(PresentationMarkKind.Arrow, [(100, 100), (200, 150)], "stenosis"),
        new(PresentationMarkKind.Marker, [(300, 300)]),
        new(PresentationMarkKind.Text, [(50, 400)], "LAD"),
        new(PresentationMarkKind.Line, [(400, 50), (450, 80), (480, 140)]),
        new(PresentationMarkKind.Distance, [(100, 450), (300, 450)]),
    ];

    [Fact]
    public void State_with_every_kind_of_mark_is_valid_and_pydicom_reads_its_objects()
    {
        var xa = Run();
        var image = Image(xa);
        var path = _dir.File("gsps.dcm");
        GspsBuilder.Save(Content(image, 3, AllKinds, new PresentationView(1200, 800, Zoom: 2)), path);

        var (errors, warnings) = ExternalTool.Dciodvfy(path);
        Assert.True(errors.Length == 0, string.Join('\n', errors));
        Assert.True(warnings.Length == 0, string.Join('\n', warnings));

        var dump = ExternalTool.Run("dcmdump", path);
        Assert.True(dump.ExitCode == 0, dump.All);
        Assert.Contains("GraphicAnnotationSequence", dump.StdOut);

        var r = ExternalTool.PythonScript(ReadObjects, path);
        Assert.True(r.ExitCode == 0, r.All);
        var json = JsonDocument.Parse(r.StdOut).RootElement;
        Assert.Equal(GspsBuilder.SopClassUid, json.GetProperty("sop").GetString());
        Assert.Equal("PR", json.GetProperty("modality").GetString());
        Assert.Equal(3, json.GetProperty("frame").GetInt32());
        Assert.Equal(image.SopInstanceUid, json.GetProperty("image").GetString());
        Assert.Equal("IDENTITY", json.GetProperty("shape").GetString());
        Assert.Equal([1200.0, 800.0], json.GetProperty("window").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal([129, 129], json.GetProperty("tlhc").EnumerateArray().Select(v => v.GetInt32()));
        Assert.Equal([384, 384], json.GetProperty("brhc").EnumerateArray().Select(v => v.GetInt32()));
        Assert.Equal("Grey^Meredith", json.GetProperty("creator").GetString());
        Assert.Equal(GspsBuilder.Layer, json.GetProperty("layer").GetString());

        var graphics = json.GetProperty("graphics").EnumerateArray().Select(g => (Type: g[0].GetString(), Points: g[1].GetInt32(), Data: g[2].EnumerateArray().Select(v => v.GetDouble()).ToArray())).ToList();
        Assert.Equal(["POLYLINE", "POLYLINE", "CIRCLE", "POLYLINE", "POLYLINE"], graphics.Select(g => g.Type));
        Assert.Equal([100.0, 100, 200, 150], graphics[0].Data);
        Assert.Equal(3, graphics[1].Points); // the arrow's head, its middle point the tip
        Assert.Equal([200.0, 150], graphics[1].Data[2..4]);
        Assert.Equal([300.0, 300, 306, 300], graphics[2].Data);
        Assert.Equal(3, graphics[3].Points);
        Assert.Equal([100.0, 450, 300, 450], graphics[4].Data);

        var texts = json.GetProperty("texts").EnumerateArray().Select(t => (Text: t[0].GetString()!, Anchor: t[1].EnumerateArray().Select(v => v.GetDouble()).ToArray())).ToList();
        Assert.Equal("stenosis", texts[0].Text);
        Assert.Equal("LAD", texts[1].Text);
        // 200 px at 0.3 mm is 60 mm at the detector, 42.5 mm at the isocentre (magnification 1100/780).
        Assert.Equal("42.5 mm (calibrated, approximate)", texts[2].Text);
        Assert.Equal([200.0, 450], texts[2].Anchor);
    }

    [Fact]
    public void Dcmtk_renders_the_frame_under_the_state_and_its_overlay_of_the_marks()
    {
        var xa = Run();
        var marked = _dir.File("marked.dcm");
        GspsBuilder.Save(Content(Image(xa), 3, AllKinds), marked);

        // dcmp2pgm (dcmtk 3.6.7) draws the window and displayed area into the frame, but neither graphic objects nor
        // the state's overlay: those it parses, and in verbose mode writes each activated overlay as a bitmap of its own.
        var (frame, overlays) = Render(marked, xa, 3);
        Assert.Equal(Size * Size, frame.Length);
        // 1000 of 4096 under the window centre 2048, width 4096.
        Assert.All(frame, p => Assert.Equal(62, p));
        var overlay = Assert.Single(overlays);
        Assert.Equal(Size * Size, overlay.Length);
        // On the distance line's middle, the free line's bend, the marker's circle and the arrow's shaft; nothing far from every mark.
        Assert.NotEqual(0, overlay[450 * Size + 200]);
        Assert.NotEqual(0, overlay[80 * Size + 450]);
        Assert.NotEqual(0, overlay[300 * Size + 306]);
        Assert.NotEqual(0, overlay[125 * Size + 150]);
        Assert.Equal(0, overlay[250 * Size + 450]);
        Assert.Equal(0, overlay[10 * Size + 10]);
    }

    [Fact]
    public void Single_frame_reference_has_no_frame_number_and_a_missing_frame_is_refused()
    {
        var image = Image(Run(frames: 1));
        var ds = GspsBuilder.Build(Content(image, 1, []));
        var item = ds.GetSequence(Dictionary.DicomTags.ReferencedSeriesSequence).Items[0].GetSequence(Dictionary.DicomTags.ReferencedImageSequence).Items[0];
        Assert.False(item.Contains(Dictionary.DicomTags.ReferencedFrameNumber));
        Assert.False(ds.Contains(Dictionary.DicomTags.GraphicAnnotationSequence));
        Assert.Throws<ArgumentOutOfRangeException>(() => GspsBuilder.Build(Content(image, 2, [])));
    }

    /// <summary>dcmp2pgm's rendering of <paramref name="frame"/> under the state, and the overlays it wrote (8-bit gray pixels).</summary>
    private (byte[] Frame, byte[][] Overlays) Render(string state, string xa, int frame)
    {
        var folder = _dir.Sub("render");
        var r = ExternalTool.PythonScript("import subprocess, sys; p = subprocess.run(sys.argv[2:], cwd=sys.argv[1], capture_output=True, text=True); print(p.stdout + p.stderr); sys.exit(p.returncode)",
            folder, "dcmp2pgm", "-v", "-p", state, "-f", frame.ToString(System.Globalization.CultureInfo.InvariantCulture), xa, "frame.pgm");
        Assert.True(r.ExitCode == 0, r.All);
        var overlays = Directory.GetFiles(folder, "ovl_*.pgm").Order().Select(f => Pgm(File.ReadAllBytes(f))).ToArray();
        return (Pgm(File.ReadAllBytes(Path.Combine(folder, "frame.pgm"))), overlays);
    }

    /// <summary>The pixels of a binary (P5) PGM of at most 255 gray levels.</summary>
    private static byte[] Pgm(byte[] file)
    {
        int at = 0;
        string Token()
        {
            while (char.IsWhiteSpace((char)file[at]) || file[at] == '#')
            {
                if (file[at] == '#') while (file[at] != '\n') at++;
                at++;
            }
            int start = at;
            while (!char.IsWhiteSpace((char)file[at])) at++;
            return System.Text.Encoding.ASCII.GetString(file, start, at - start);
        }
        Assert.Equal("P5", Token());
        int width = int.Parse(Token()), height = int.Parse(Token()), max = int.Parse(Token());
        Assert.True(max <= 255);
        at++;
        Assert.Equal(width * height, file.Length - at);
        return file[at..];
    }
}
