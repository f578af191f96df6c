using CathLab.Acquisition.Calibration;
using CathLab.Processing.Frames;

namespace CathLab.Acquisition.Tests.Calibration;

public sealed class CalibrationStoreTests : IDisposable
{
    private const int Side = 128;
    private static readonly FrameGeometry Geometry = new(Side, Side, 14);
    private readonly string _folder = Directory.CreateTempSubdirectory("cathlab-calstore-").FullName;

    [Fact]
    public void A_stored_calibration_loads_back_with_its_record_and_maps()
    {
        var store = new CalibrationStore(_folder);
        var saved = Stored(Geometry);
        store.Save(saved);

        var load = store.Load(Geometry);
        Assert.Null(load.Warning);
        Assert.Equal(saved.Record.Id, load.Calibration!.Record.Id);
        Assert.Equal(saved.Record.DefectRows, load.Calibration.Record.DefectRows);
        Assert.Equal(saved.Data.Gain, load.Calibration.Data.Gain);
        Assert.Equal(saved.Data.Dark, load.Calibration.Data.Dark);
        Assert.Equal(saved.Data.Defects.Count, load.Calibration.Data.Defects.Count);
    }

    [Fact]
    public void A_damaged_file_is_refused_whole_with_a_clear_message()
    {
        var store = new CalibrationStore(_folder);
        store.Save(Stored(Geometry));
        string path = store.PathFor(Geometry);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 3] ^= 0x01;
        File.WriteAllBytes(path, bytes);

        var load = store.Load(Geometry);
        Assert.Null(load.Calibration);
        Assert.Contains("checksum does not match", load.Warning, StringComparison.Ordinal);
        Assert.Contains(path, load.Warning, StringComparison.Ordinal);

        File.WriteAllBytes(path, bytes[..40]);
        Assert.Contains("truncated", store.Load(Geometry).Warning, StringComparison.Ordinal);
    }

    [Fact]
    public void A_calibration_for_another_mode_is_not_applied()
    {
        var store = new CalibrationStore(_folder);
        var other = new FrameGeometry(Side / 2, Side / 2, 14);
        store.Save(Stored(other));

        var load = store.Load(Geometry);
        Assert.Null(load.Calibration);
        Assert.Contains("another mode", load.Warning, StringComparison.Ordinal);

        // Renamed to this mode's name, its content still says which mode it is for.
        File.Copy(store.PathFor(other), store.PathFor(Geometry));
        var renamed = store.Load(Geometry);
        Assert.Null(renamed.Calibration);
        Assert.Contains("not the mode in use", renamed.Warning, StringComparison.Ordinal);
        var state = new CalibrationState(Geometry, TimeSpan.FromDays(30));
        state.Loaded(renamed);
        Assert.Null(state.Record);
        Assert.Throws<ArgumentException>(() => state.Apply(Stored(other)));
    }

    [Fact]
    public void A_calibration_older_than_the_interval_is_a_warning()
    {
        var time = new ManualTime(DateTimeOffset.Parse("2026-12-01T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var state = new CalibrationState(Geometry, TimeSpan.FromDays(7), time);
        state.Apply(Stored(Geometry, time.GetUtcNow()));
        Assert.Null(state.Warning);
        time.Now += TimeSpan.FromDays(8);
        Assert.Contains("8 days old (interval 7 days)", state.Warning, StringComparison.Ordinal);
        Assert.StartsWith("corrected: cal 128-14b-20261201T0800Z", state.ForRecording().Description, StringComparison.Ordinal);
    }

    internal static StoredCalibration Stored(FrameGeometry geometry, DateTimeOffset? at = null)
    {
        var detector = new SyntheticDetector(geometry.Width);
        var dark = new PixelStatistics(geometry.PixelCount);
        var flood = new PixelStatistics(geometry.PixelCount);
        dark.Add(detector.Dark());
        dark.Add(detector.Dark());
        flood.Add(detector.Flood());
        var built = new CalibrationBuilder(geometry, new DefectCriteria()).Build(dark, flood);
        var when = at ?? DateTimeOffset.UtcNow;
        var record = new CalibrationRecord
        {
            Id = CalibrationRecord.IdFor(geometry.Width, geometry.BitsStored, when),
            CalibratedAt = when,
            Side = geometry.Width,
            BitsStored = geometry.BitsStored,
            DefectPixels = built.DefectPixels,
            DefectRows = built.DefectRows,
            DefectColumns = built.DefectColumns,
        };
        return new StoredCalibration(record, built.Data);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
