namespace CathLab.FirmwareBridge;

public enum BridgeAlertKind
{
    /// <summary>High-level fluoro is emitting; raised at its start and with every pulse until it ends.</summary>
    HighLevelFluoroActive,
    HighLevelFluoroEnded,
    /// <summary>Cumulative fluoro time crossed another 5 minutes.</summary>
    FluoroTime,
    /// <summary>The dose-rate limit cut the technique the automatic dose control asked for.</summary>
    DoseRateLimited,
    /// <summary>The tube's power or heat limit cut the technique.</summary>
    TubeLimited,
    GeneratorFault,
    CommandRefused,
    LinkLost,
    /// <summary>The generator link is back after a loss (re-identified, techniques re-sent); the exposure stays in
    /// Fault until the operator resets it.</summary>
    LinkRestored,
    /// <summary>A pulse was reported when no exposure was running.</summary>
    UnexpectedEmission,
    /// <summary>The station stopped an exposure by itself (maximum hold, shutdown, dose limiter).</summary>
    ExposureStopped,
}

/// <summary>Something the operator must see or hear, from any part of the bridge.</summary>
public sealed record BridgeAlert(BridgeAlertKind Kind, DateTimeOffset At, string Text);
