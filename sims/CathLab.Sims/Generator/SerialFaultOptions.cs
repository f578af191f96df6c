namespace CathLab.Sims.Generator;

/// <summary>Damage the simulated serial line does to bytes, in both directions.</summary>
public sealed record SerialFaultOptions
{
    /// <summary>Probability that a byte is replaced by a random other value.</summary>
    public double CorruptRate { get; init; }

    /// <summary>Probability that a byte is lost.</summary>
    public double DropRate { get; init; }

    public int Seed { get; init; } = 7;

    /// <summary>The generator executes a command at its first arrival but answers only its (N+1)-th transmission: the
    /// answers to the first N are lost, as on a line that eats them, so the station retries N times. Identify and
    /// Heartbeat are always answered (they start a session and prove the generator alive).</summary>
    public int WithheldAnswers { get; init; }

    public static SerialFaultOptions None { get; } = new();

    public void Validate()
    {
        if (CorruptRate is < 0 or > 1 || double.IsNaN(CorruptRate)) throw new ArgumentOutOfRangeException(nameof(CorruptRate), CorruptRate, "a rate between 0 and 1");
        if (DropRate is < 0 or > 1 || double.IsNaN(DropRate)) throw new ArgumentOutOfRangeException(nameof(DropRate), DropRate, "a rate between 0 and 1");
        if (WithheldAnswers < 0) throw new ArgumentOutOfRangeException(nameof(WithheldAnswers), WithheldAnswers, "a count ≥ 0");
    }
}

/// <summary>Corrupts and drops bytes at the configured rates; thread-safe.</summary>
public sealed class SerialLineDamage(SerialFaultOptions options)
{
    private readonly Random _random = new(options.Seed);
    private readonly Lock _gate = new();

    public long Corrupted { get; private set; }
    public long Dropped { get; private set; }

    public SerialFaultOptions Options { get; set; } = options;

    /// <summary>Damages <paramref name="bytes"/> in place and returns how many remain (dropped bytes are squeezed out).</summary>
    public int Apply(Span<byte> bytes)
    {
        var options = Options;
        if (options.CorruptRate == 0 && options.DropRate == 0) return bytes.Length;
        lock (_gate)
        {
            int kept = 0;
            for (int i = 0; i < bytes.Length; i++)
            {
                if (_random.NextDouble() < options.DropRate)
                {
                    Dropped++;
                    continue;
                }
                byte b = bytes[i];
                if (_random.NextDouble() < options.CorruptRate)
                {
                    b ^= (byte)_random.Next(1, 256);
                    Corrupted++;
                }
                bytes[kept++] = b;
            }
            return kept;
        }
    }
}
