using CathLab.Security.Access;

namespace CathLab.LiveFeed.Tests;

public sealed class TokenStoreTests
{
    private static readonly TokenStore Store = new([
        new TokenGrant { Subject = "a", Role = StationRole.Observer, Token = "alpha", Exams = ["E1"] },
        new TokenGrant { Subject = "t", Role = StationRole.Technician, TokenSha256 = TokenStore.Sha256Hex("tango") },
    ]);

    [Fact]
    public void ResolvesPlainAndHashedTokens()
    {
        Assert.True(Store.TryResolve("alpha", out var a));
        Assert.Equal(("a", StationRole.Observer), (a!.Subject, a.Role));
        Assert.True(a.MayWatch("E1"));
        Assert.False(a.MayWatch("E2"));
        Assert.True(Store.TryResolve("tango", out var t));
        Assert.True(t!.MayWatch("anything"));
        Assert.True(t.Has(StationRole.Observer));
        Assert.False(a.Has(StationRole.Technician));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("alph")]
    [InlineData("alpha ")]
    [InlineData("ALPHA")]
    public void RefusesAnythingElse(string? token) => Assert.False(Store.TryResolve(token, out _));

    [Fact]
    public void RefusesBadGrants()
    {
        Assert.Throws<ArgumentException>(() => new TokenStore([new TokenGrant { Subject = "x" }]));
        Assert.Throws<ArgumentException>(() => new TokenStore([new TokenGrant { Subject = "", Token = "x" }]));
        Assert.Throws<ArgumentException>(() => new TokenStore([new TokenGrant { Subject = "x", TokenSha256 = "abcd" }]));
        Assert.Throws<ArgumentException>(() => new TokenStore([new TokenGrant { Subject = "x", Token = "y", Role = (StationRole)9 }]));
    }

    [Fact]
    public void MethodsNotOpenedToObserversNeedATechnician()
    {
        var policy = new MethodPolicy();
        Assert.Equal(StationRole.Observer, policy.RoleFor("/cathlab.livefeed.v1.LiveFeed/Watch"));
        Assert.Equal(StationRole.Technician, policy.RoleFor("/cathlab.livefeed.v1.LiveFeedControl/ListObservers"));
        Assert.Equal(StationRole.Technician, policy.RoleFor("/cathlab.control.v1.Generator/Expose"));
        policy.Require("/cathlab.control.v1.Status/Get", StationRole.Observer);
        Assert.Equal(StationRole.Observer, policy.RoleFor("/cathlab.control.v1.Status/Get"));
    }
}
