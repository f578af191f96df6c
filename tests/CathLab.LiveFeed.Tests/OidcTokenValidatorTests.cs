using System.Security.Cryptography;
using System.Text;
using CathLab.Security.Access;
using CathLab.Security.Access.Oidc;
using CathLab.Testing;
using Microsoft.Extensions.Time.Testing;

namespace CathLab.LiveFeed.Tests;

/// <summary>Access tokens from a real OpenID Connect provider (<see cref="OidcTestProvider"/>: oidc-provider under Node
/// on 127.0.0.1), validated by the station's <see cref="StationTokenResolver"/> as every token-accepting path asks it.</summary>
public sealed class OidcTokenValidatorTests : IAsyncLifetime
{
    private const string Audience = "urn:cathlab:station";
    private const string Redirect = "http://127.0.0.1:9/";
    private const string StaticToken = "a-relay-token";
    private OidcTestProvider _provider = null!;

    public async Task InitializeAsync() => _provider = await OidcTestProvider.StartAsync(Audience, [Redirect]);

    public Task DisposeAsync()
    {
        _provider.Dispose();
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData("tech-anna", StationRole.Technician, "")]
    [InlineData("dr-bruno", StationRole.Observer, "EX-1")]
    [InlineData("obs-omar", StationRole.Observer, "*")]
    public async Task A_token_from_the_provider_is_accepted_with_the_mapped_role(string user, StationRole role, string exams)
    {
        var check = await ResolverFor(_provider.Issuer).ResolveAsync(await _provider.SignInAsync(user), CancellationToken.None);
        Assert.True(check.Caller is not null, check.Refusal);
        Assert.Equal(user, check.Caller.Subject);
        Assert.Equal(role, check.Caller.Role);
        Assert.Equal(exams, string.Join(",", check.Caller.Exams));
    }

    [Fact]
    public async Task A_user_whose_role_claim_maps_to_no_station_role_is_refused()
    {
        var check = await ResolverFor(_provider.Issuer).ResolveAsync(await _provider.SignInAsync("nobody-nina"), CancellationToken.None);
        Assert.Null(check.Caller);
        Assert.Contains("no value of the 'cathlab_role' claim", check.Refusal);
    }

    [Fact]
    public async Task A_token_signed_with_another_key_is_refused()
    {
        string token = await _provider.SignInAsync("tech-anna");
        var resolver = ResolverFor(_provider.Issuer);
        Assert.NotNull((await resolver.ResolveAsync(token, CancellationToken.None)).Caller);
        var check = await resolver.ResolveAsync(ResignedWithAnotherKey(token), CancellationToken.None);
        Assert.Null(check.Caller);
        Assert.Equal("the signature does not verify", check.Refusal);
    }

    [Fact]
    public async Task A_token_for_another_audience_is_refused()
    {
        var check = await ResolverFor(_provider.Issuer, audience: "another-station").ResolveAsync(await _provider.SignInAsync("tech-anna"), CancellationToken.None);
        Assert.Null(check.Caller);
        Assert.Contains("audience is not 'another-station'", check.Refusal);
    }

    [Fact]
    public async Task An_expired_token_is_refused_once_the_clock_skew_has_passed()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var resolver = ResolverFor(_provider.Issuer, clock: clock);
        string token = await _provider.SignInAsync("tech-anna");
        Assert.NotNull((await resolver.ResolveAsync(token, CancellationToken.None)).Caller);
        clock.Advance(TimeSpan.FromSeconds(300 + 29)); // the provider's lifetime, within the 30 s skew
        Assert.NotNull((await resolver.ResolveAsync(token, CancellationToken.None)).Caller);
        clock.Advance(TimeSpan.FromSeconds(3));
        var check = await resolver.ResolveAsync(token, CancellationToken.None);
        Assert.Null(check.Caller);
        Assert.StartsWith("the token expired at", check.Refusal);
    }

    [Fact]
    public async Task A_token_from_another_provider_is_refused()
    {
        using var other = await OidcTestProvider.StartAsync(Audience, [Redirect]);
        var check = await ResolverFor(_provider.Issuer).ResolveAsync(await other.SignInAsync("tech-anna"), CancellationToken.None);
        Assert.Null(check.Caller);
        Assert.Equal($"issued by '{other.Issuer}', not by the configured provider", check.Refusal);
    }

    [Fact]
    public async Task A_key_rotation_is_picked_up_without_a_restart()
    {
        var resolver = ResolverFor(_provider.Issuer);
        string before = await _provider.SignInAsync("tech-anna");
        Assert.NotNull((await resolver.ResolveAsync(before, CancellationToken.None)).Caller);
        string kid = await _provider.RotateKeysAsync();
        string after = await _provider.SignInAsync("obs-omar");
        Assert.Contains(kid, Encoding.UTF8.GetString(Base64UrlDecode(after.Split('.')[0])));
        var check = await resolver.ResolveAsync(after, CancellationToken.None);
        Assert.True(check.Caller is not null, check.Refusal);
        Assert.Equal("obs-omar", check.Caller.Subject);
        var retired = await resolver.ResolveAsync(before, CancellationToken.None);
        Assert.Null(retired.Caller);
        Assert.Equal("signed with a key the provider does not publish (kid 'test-key-1')", retired.Refusal);
    }

    [Fact]
    public async Task Static_tokens_are_still_accepted_beside_the_provider()
    {
        var resolver = ResolverFor(_provider.Issuer);
        var relay = await resolver.ResolveAsync(StaticToken, CancellationToken.None);
        Assert.Equal("relay", relay.Caller?.Subject);
        Assert.Equal(TokenCheck.NotRecognised, (await resolver.ResolveAsync("not-a-token", CancellationToken.None)).Refusal);
        Assert.Equal(TokenCheck.NoToken, (await resolver.ResolveAsync(null, CancellationToken.None)).Refusal);
    }

    private static StationTokenResolver ResolverFor(string issuer, string audience = Audience, TimeProvider? clock = null) => new(
        new TokenStore([new TokenGrant { Subject = "relay", Role = StationRole.Observer, Token = StaticToken, Exams = ["*"] }]),
        new OidcTokenValidator(new OidcSettings
        {
            Issuer = issuer,
            Audience = audience,
            RoleClaim = OidcTestProvider.RoleClaim,
            ExamsClaim = OidcTestProvider.ExamsClaim,
            Roles = new Dictionary<string, StationRole> { ["technician"] = StationRole.Technician, ["physician"] = StationRole.Observer, ["observer"] = StationRole.Observer },
        }, clock ?? TimeProvider.System));

    /// <summary>The same header (kid included) and claims, signed with a key the provider never had.</summary>
    private static string ResignedWithAnotherKey(string token)
    {
        string signed = token[..token.LastIndexOf('.')];
        using var forger = RSA.Create(2048);
        var signature = forger.SignData(Encoding.ASCII.GetBytes(signed), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signed + "." + Convert.ToBase64String(signature).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private static byte[] Base64UrlDecode(string part)
    {
        string padded = part.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + (4 - padded.Length % 4) % 4, '='));
    }
}
