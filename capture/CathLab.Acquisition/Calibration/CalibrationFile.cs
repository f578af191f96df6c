using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using CathLab.Processing.Calibration;

namespace CathLab.Acquisition.Calibration;

/// <summary>A calibration on disk: magic <c>CLCALSET</c>, version (int32, 1), the record's length (int32) and the record
/// as UTF-8 JSON, the maps (<see cref="CalibrationData.Save"/>), then the SHA-256 of every byte before it. A file whose
/// checksum, record or maps do not agree is refused whole: a damaged map would put its damage into every image.</summary>
public static class CalibrationFile
{
    private const int Version = 1;
    private const int HashLength = 32;
    private static ReadOnlySpan<byte> Magic => "CLCALSET"u8;

    public static byte[] Write(StoredCalibration calibration)
    {
        using var body = new MemoryStream();
        body.Write(Magic);
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(word, Version);
        body.Write(word);
        byte[] record = JsonSerializer.SerializeToUtf8Bytes(calibration.Record);
        BinaryPrimitives.WriteInt32LittleEndian(word, record.Length);
        body.Write(word);
        body.Write(record);
        calibration.Data.Save(body);
        body.Write(SHA256.HashData(body.GetBuffer().AsSpan(0, (int)body.Length)));
        return body.ToArray();
    }

    /// <summary>Reads a calibration; throws <see cref="InvalidDataException"/> saying what is wrong with a damaged one.</summary>
    public static StoredCalibration Read(ReadOnlySpan<byte> bytes)
    {
        int header = Magic.Length + 8;
        if (bytes.Length < header + HashLength) throw new InvalidDataException($"it is truncated ({bytes.Length} bytes)");
        if (!bytes[..Magic.Length].SequenceEqual(Magic)) throw new InvalidDataException("it is not a CathLab calibration file (bad magic)");
        var body = bytes[..^HashLength];
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes[^HashLength..]))
            throw new InvalidDataException("its checksum does not match its contents (the file is damaged)");
        int version = BinaryPrimitives.ReadInt32LittleEndian(bytes[Magic.Length..]);
        if (version != Version) throw new InvalidDataException($"it is version {version}; this station reads version {Version}");
        int length = BinaryPrimitives.ReadInt32LittleEndian(bytes[(Magic.Length + 4)..]);
        if (length <= 0 || header + length > body.Length) throw new InvalidDataException($"its record length {length} does not fit the file");
        CalibrationRecord record;
        try
        {
            record = JsonSerializer.Deserialize<CalibrationRecord>(body.Slice(header, length)) ?? throw new InvalidDataException("its record is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"its record cannot be read: {e.Message}", e);
        }
        CalibrationData data;
        try
        {
            using var maps = new MemoryStream(body[(header + length)..].ToArray());
            data = CalibrationData.Load(maps);
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentException)
        {
            throw new InvalidDataException($"its maps cannot be read: {e.Message}", e);
        }
        if (data.Geometry.Width != record.Side || data.Geometry.Height != record.Side || data.Geometry.BitsStored != record.BitsStored)
            throw new InvalidDataException($"its maps are {data.Geometry} but its record says {record.Side}×{record.Side}, {record.BitsStored} bits");
        return new StoredCalibration(record, data);
    }
}

/// <summary>A calibration with its record.</summary>
public sealed record StoredCalibration(CalibrationRecord Record, CalibrationData Data);
