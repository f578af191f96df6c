using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CathLab.Testing;

/// <summary>A real OpenID Connect provider (tests/oidc/provider.mjs: the oidc-provider package under Node) on
/// 127.0.0.1 for the sign-in tests, with its test users (tech-anna technician, dr-bruno physician of EX-1, obs-omar
/// observer of every exam, nobody-nina with no role). <see cref="SignInAsync"/> signs a user in through the provider's
/// own login and consent pages as a browser would (authorization code with PKCE) and returns the access token.</summary>
public sealed partial class OidcTestProvider : IDisposable
{
    public const string ClientId = "cathlab-web";
    public const string RoleClaim = "cathlab_role";
    public const string ExamsClaim = "cathlab_exams";
    public const string Scope = "openid profile cathlab";
    private static readonly TimeSpan ReadinessWait = TimeSpan.FromSeconds(60);
    private readonly PeerProcess _node;
    private readonly string _redirect;

    private OidcTestProvider(PeerProcess node, string issuer, string redirect)
    {
        _node = node;
        Issuer = issuer;
        _redirect = redirect;
    }

    /// <summary>The provider's issuer URL (http://127.0.0.1:port, no trailing slash).</summary>
    public string Issuer { get; }

    public string Output => _node.Output;

    /// <param name="redirects">The client's redirect URIs; the first is the one <see cref="SignInAsync"/> uses.</param>
    public static async Task<OidcTestProvider> StartAsync(string audience, IReadOnlyList<string> redirects, int tokenSeconds = 300)
    {
        string folder = Path.Combine(RepositoryRoot(), "tests", "oidc");
        if (!Directory.Exists(Path.Combine(folder, "node_modules", "oidc-provider")))
            throw new InvalidOperationException($"{folder}/node_modules is missing: run scripts/setup.sh (npm ci in tests/oidc)");
        var arguments = new List<string> { "provider.mjs", "--port", "0", "--audience", audience, "--client-id", ClientId, "--role-claim", RoleClaim,
            "--exams-claim", ExamsClaim, "--token-seconds", tokenSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        foreach (var r in redirects) arguments.AddRange(["--redirect", r]);
        var node = new PeerProcess("node", arguments, folder);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < ReadinessWait)
        {
            if (IssuerLine().Match(node.Output) is { Success: true } m) return new OidcTestProvider(node, m.Groups[1].Value, redirects[0]);
            if (node.HasExited) break;
            await Task.Delay(50);
        }
        string output = node.Output;
        node.Dispose();
        throw new InvalidOperationException($"the OpenID Connect provider did not start: {output}");
    }

    /// <summary>A new signing key replaces the old one in the provider's published key set.</summary>
    public async Task<string> RotateKeysAsync()
    {
        using var http = new HttpClient();
        using var answer = await http.PostAsync(Issuer + "/test/rotate-keys", null);
        answer.EnsureSuccessStatusCode();
        return (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("kid").GetString()!;
    }

    /// <summary>Lets the client redirect to <paramref name="uri"/> too (a station started after the provider).</summary>
    public async Task AddRedirectAsync(string uri)
    {
        using var http = new HttpClient();
        using var answer = await http.PostAsync($"{Issuer}/test/redirect?uri={Uri.EscapeDataString(uri)}", null);
        answer.EnsureSuccessStatusCode();
    }

    /// <summary>Signs <paramref name="user"/> in at the provider's login page (any password), consents, and exchanges the
    /// code (with its PKCE verifier) for the access token.</summary>
    public async Task<string> SignInAsync(string user)
    {
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() };
        using var http = new HttpClient(handler);
        string verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        string challenge = Base64Url(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(verifier)));
        string state = Base64Url(RandomNumberGenerator.GetBytes(16));
        var at = new Uri($"{Issuer}/auth?client_id={ClientId}&response_type=code&scope={Uri.EscapeDataString(Scope)}&redirect_uri={Uri.EscapeDataString(_redirect)}" +
                         $"&state={state}&code_challenge={challenge}&code_challenge_method=S256");
        using var first = await http.GetAsync(at);
        var answer = first;
        for (int step = 0; step < 20; step++)
        {
            if (answer.Headers.Location is { } location)
            {
                var next = new Uri(at, location);
                if (next.AbsoluteUri.StartsWith(_redirect, StringComparison.Ordinal)) return await ExchangeAsync(http, next, state, verifier);
                at = next;
                answer = await http.GetAsync(at);
                continue;
            }
            string page = await answer.Content.ReadAsStringAsync();
            var form = FormAction().Match(page);
            if (!form.Success) throw new InvalidOperationException($"the provider answered {(int)answer.StatusCode} without a form: {page}");
            var prompt = PromptField().Match(page).Groups[1].Value;
            var fields = prompt == "login"
                ? new Dictionary<string, string> { ["prompt"] = "login", ["login"] = user, ["password"] = "any" }
                : new Dictionary<string, string> { ["prompt"] = prompt };
            at = new Uri(at, WebUtility.HtmlDecode(form.Groups[1].Value));
            answer = await http.PostAsync(at, new FormUrlEncodedContent(fields));
        }
        throw new InvalidOperationException("the sign-in did not come back to the redirect URI");
    }

    private async Task<string> ExchangeAsync(HttpClient http, Uri back, string state, string verifier)
    {
        var query = System.Web.HttpUtility.ParseQueryString(back.Query);
        if (query["state"] != state) throw new InvalidOperationException($"the provider sent back another state: {back}");
        string code = query["code"] ?? throw new InvalidOperationException($"the provider sent back no code: {back}");
        using var answer = await http.PostAsync(Issuer + "/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = _redirect, ["client_id"] = ClientId, ["code_verifier"] = verifier,
        }));
        string body = await answer.Content.ReadAsStringAsync();
        if (!answer.IsSuccessStatusCode) throw new InvalidOperationException($"the token endpoint answered {(int)answer.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CathLab.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("CathLab.sln not found above the test's folder");
    }

    [GeneratedRegex(@"^issuer (\S+)$", RegexOptions.Multiline)]
    private static partial Regex IssuerLine();

    [GeneratedRegex("<form[^>]*action=\"([^\"]+)\"")]
    private static partial Regex FormAction();

    [GeneratedRegex("name=\"prompt\" value=\"([^\"]+)\"")]
    private static partial Regex PromptField();

    public void Dispose() => _node.Dispose();
}
