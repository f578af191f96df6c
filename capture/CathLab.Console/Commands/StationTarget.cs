namespace CathLab.Console.Commands;

/// <summary>Which station to talk to and with which token: <c>--server</c> (or CATHLAB_SERVER, else the station's
/// default http://127.0.0.1:5700; http:// speaks HTTP/2 without TLS), <c>--token</c> (or CATHLAB_TOKEN) and
/// <c>--insecure</c> (accept any TLS certificate, for testing).</summary>
public sealed record StationTarget(Uri Server, string Token, bool AcceptAnyCertificate)
{
    public const string DefaultServer = "http://127.0.0.1:5700";

    public static IReadOnlyCollection<string> Valued { get; } = ["server", "token"];

    public static IReadOnlyCollection<string> Switches { get; } = ["insecure"];

    public const string OptionsUsage = """
          --server URL        the station (default http://127.0.0.1:5700, or CATHLAB_SERVER); http:// is HTTP/2 without TLS
          --token TOKEN       a technician token (or set CATHLAB_TOKEN)
          --insecure          accept any TLS certificate (testing only)
        """;

    public static StationTarget From(OptionReader options)
    {
        string server = options.String("server") ?? NonEmpty(Environment.GetEnvironmentVariable("CATHLAB_SERVER")) ?? DefaultServer;
        if (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new UsageException($"--server must be an http:// or https:// URL, not '{server}'");
        string token = NonEmpty(options.String("token")) ?? NonEmpty(Environment.GetEnvironmentVariable("CATHLAB_TOKEN"))
            ?? throw new UsageException("--token is required (or set CATHLAB_TOKEN)");
        return new StationTarget(uri, token, options.Has("insecure"));
    }

    private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
