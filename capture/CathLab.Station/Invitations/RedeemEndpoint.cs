using System.Text.Json;
using CathLab.Security.Access;
using CathLab.Security.Audit;
using CathLab.Security.Invitations;

namespace CathLab.Station.Invitations;

/// <summary>POST /auth/redeem with <c>{"code":"…","token":"…"}</c>: the invitee's page, signed in (a provider's access
/// token, or a static token), redeems the code from its link. 200 <c>{"grant","examId","role","subject","expiresAt"}</c>:
/// the grant is the bearer for that exam only; 401 the sign-in is refused; 403 the redemption is; 400 a malformed body.
/// Both secrets travel in the body, never in a URL.</summary>
internal static class RedeemEndpoint
{
    public const string Path = "/auth/redeem";
    private const int MaxBodyBytes = 16 * 1024;

    public static async Task AnswerAsync(HttpContext context) => await (await ResultOfAsync(context)).ExecuteAsync(context);

    private static async Task<IResult> ResultOfAsync(HttpContext context)
    {
        var desk = context.RequestServices.GetRequiredService<InvitationDesk>();
        var resolver = context.RequestServices.GetRequiredService<StationTokenResolver>();
        var audit = context.RequestServices.GetRequiredService<IAuditLog>();
        string peer = $"{context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}";
        var (code, token) = await BodyOfAsync(context);
        if (code is null) return Results.Json(new { error = "the body must be {\"code\":\"...\",\"token\":\"...\"}" }, statusCode: StatusCodes.Status400BadRequest);
        var signIn = await resolver.ResolvePersonAsync(token, context.RequestAborted);
        if (signIn.Caller is not { } person)
        {
            audit.Record(new AuditRecord(desk.Now, token is null ? "anonymous" : "unknown-token", "invitation-redeem", "Unauthenticated", Peer: peer, Transport: "http", Detail: signIn.Refusal));
            return Results.Json(new { error = signIn.Refusal }, statusCode: StatusCodes.Status401Unauthorized);
        }
        var redemption = desk.Redeem(code, person, peer);
        if (!redemption.Accepted) return Results.Json(new { error = redemption.Refusal }, statusCode: StatusCodes.Status403Forbidden);
        var invitation = redemption.Invitation!;
        return Results.Json(new
        {
            grant = redemption.Grant,
            examId = invitation.ExamId,
            role = invitation.Role.ToString().ToLowerInvariant(),
            subject = person.Subject,
            expiresAt = invitation.ExpiresAt,
        });
    }

    private static async Task<(string? Code, string? Token)> BodyOfAsync(HttpContext context)
    {
        if (context.Request.ContentLength is > MaxBodyBytes) return default;
        var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int n;
        while ((n = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + n > MaxBodyBytes) return default;
            buffer.Write(chunk, 0, n);
        }
        try
        {
            using var doc = JsonDocument.Parse(buffer.ToArray());
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return default;
            string? code = root.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
            string? token = root.TryGetProperty("token", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            return (code, token);
        }
        catch (JsonException)
        {
            return default;
        }
    }
}
