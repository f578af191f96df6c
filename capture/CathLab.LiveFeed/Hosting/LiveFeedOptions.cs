using CathLab.LiveFeed.Video;
using CathLab.Security.Access;
using CathLab.Security.Access.Oidc;
using CathLab.Security.Invitations;

namespace CathLab.LiveFeed.Hosting;

/// <summary>Configuration of the live feed (bindable from the "LiveFeed" configuration section).</summary>
public sealed record LiveFeedOptions
{
    /// <summary>The tokens that may call the live feed, with their roles and exams.</summary>
    public IReadOnlyList<TokenGrant> Tokens { get; init; } = [];

    /// <summary>The site's OpenID Connect provider whose access tokens are accepted besides the static ones; null: none.</summary>
    public OidcSettings? Oidc { get; init; }

    /// <summary>A person's session (a provider's token, an invitation's grant) ends after this long without input from
    /// its client; zero: only at its expiry.</summary>
    public TimeSpan IdleTimeout { get; init; }

    /// <summary>The site's audit repository (syslog); null: the audit stays in the local file only.</summary>
    public CathLab.Security.Audit.Atna.AtnaSyslogSettings? AuditRepository { get; init; }

    /// <summary>The bounds and journal of invitations to one exam.</summary>
    public InvitationPolicy Invitations { get; init; } = new();

    /// <summary>Frames waiting for the encoder; when full, a published frame is dropped for the live feed and counted.</summary>
    public int EncoderQueueDepth { get; init; } = 4;

    /// <summary>Most recent frames kept at 16 bits for a lossless fetch.</summary>
    public int RecentFrames { get; init; } = 16;

    /// <summary>Frames kept at 16 bits because an observer marked them (oldest mark evicted first).</summary>
    public int MarkedFrames { get; init; } = 8;

    /// <summary>The audit trail file (JSON lines); null keeps the records in memory only.</summary>
    public string? AuditPath { get; init; }

    /// <summary>Path prefix for the browser viewer and its WebSocket.</summary>
    public string WebPath { get; init; } = "/live";

    /// <summary>The VP8 encodings offered to video observers, smallest first; each is encoded once and shared.</summary>
    public IReadOnlyList<VideoEncodingOption> VideoEncodings { get; init; } = VideoEncodingOption.Defaults;

    /// <summary>The NATS broker to publish to (a station) or to relay from (a relay); null serves local observers only.</summary>
    public Broker.BrokerOptions? Broker { get; init; }

    public void Validate()
    {
        Broker?.Validate();
        if (EncoderQueueDepth is < 1 or > 64) throw new ArgumentOutOfRangeException(nameof(EncoderQueueDepth), EncoderQueueDepth, "must be in [1, 64]");
        if (RecentFrames is < 1 or > 256) throw new ArgumentOutOfRangeException(nameof(RecentFrames), RecentFrames, "must be in [1, 256]");
        if (MarkedFrames is < 1 or > 256) throw new ArgumentOutOfRangeException(nameof(MarkedFrames), MarkedFrames, "must be in [1, 256]");
        VideoEncodingOption.ValidateLadder(VideoEncodings);
        if (IdleTimeout < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(IdleTimeout), IdleTimeout, "must not be negative");
        if (!WebPath.StartsWith('/')) throw new ArgumentException("the web path must start with '/'", nameof(WebPath));
    }
}
