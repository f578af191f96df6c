using CathLab.Dicom.IO;
using CathLab.LiveFeed.Protocol;
using CathLab.LiveFeed.Review;
using CathLab.LiveFeed.Sessions;
using CathLab.Security.Access;
using CathLab.Security.Audit;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;

namespace CathLab.LiveFeed.Web;

/// <summary>The browser's way to the run list and to a full-resolution frame of any run (a WebSocket carries one
/// session's paced frames; these are one-off requests). The token comes in the Authorization header (Bearer), never in
/// the URL. Guarded and audited as the gRPC calls are; errors are JSON {"status","detail"}.</summary>
internal sealed class RecordedRunHttp(RecordedRunLibrary library, IAccessTokenResolver tokens, IAuditLog audit)
{
    /// <summary>GET runs?exam=ID[&amp;thumbnailWidth=N]: the run list (ListRecordedRunsReply in the protobuf JSON mapping, thumbnails in base64).</summary>
    public async Task ListAsync(HttpContext context)
    {
        var (caller, exam) = await AdmitAsync(context);
        if (caller is null) return;
        int width = int.TryParse(context.Request.Query["thumbnailWidth"], out var w) ? w : 0;
        var reply = new ListRecordedRunsReply();
        reply.Runs.AddRange(library.List(exam, width));
        Audit(context, caller, "list-runs", "OK", exam, $"{reply.Runs.Count} runs");
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsync(JsonFormatter.Default.Format(reply), context.RequestAborted);
    }

    /// <summary>GET runs/frame?exam=ID&amp;run=RUN&amp;frame=N: frame N (1-based) as a 16-bit grey PNG; X-Bits-Stored says how
    /// many bits count. (Run ids hold a '/', so they travel in the query, not the path.)</summary>
    public async Task FrameAsync(HttpContext context)
    {
        var (caller, exam) = await AdmitAsync(context);
        if (caller is null) return;
        string runId = context.Request.Query["run"].ToString();
        if (!long.TryParse(context.Request.Query["frame"], out long frameNumber) || runId.Length == 0)
        {
            await FailAsync(context, caller, exam, StatusCodes.Status400BadRequest, "InvalidArgument", "run and frame (a number) are required");
            return;
        }
        if (library.Find(exam, runId) is not { } entry)
        {
            await FailAsync(context, caller, exam, StatusCodes.Status404NotFound, "NotFound", $"exam {exam} has no recorded run {runId}");
            return;
        }
        FetchedFrame frame;
        try
        {
            frame = library.FetchLossless(entry, frameNumber);
        }
        catch (ArgumentOutOfRangeException)
        {
            await FailAsync(context, caller, exam, StatusCodes.Status416RangeNotSatisfiable, "OutOfRange", $"run {runId} has no frame {frameNumber}");
            return;
        }
        catch (Exception e) when (e is DicomFormatException or IOException or NotSupportedException)
        {
            await FailAsync(context, caller, exam, StatusCodes.Status500InternalServerError, "DataLoss", $"run {runId} frame {frameNumber} cannot be read: {e.Message}");
            return;
        }
        Audit(context, caller, "fetch-lossless", "OK", exam, $"run {runId} frame {frameNumber}");
        context.Response.ContentType = "image/png";
        context.Response.Headers.CacheControl = "private, max-age=3600";
        context.Response.Headers["X-Bits-Stored"] = frame.BitsStored.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await context.Response.Body.WriteAsync(frame.Data.Memory, context.RequestAborted);
    }

    private async Task<(CallerIdentity? Caller, string Exam)> AdmitAsync(HttpContext context)
    {
        string exam = context.Request.Query["exam"].ToString();
        string header = context.Request.Headers.Authorization.ToString();
        string? token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
        string? problem = null;
        int status = 0;
        string outcome = "";
        var check = await tokens.ResolveAsync(token, context.RequestAborted);
        var caller = check.Caller;
        if (caller is null) (status, outcome, problem) = (StatusCodes.Status401Unauthorized, "Unauthenticated", check.Refusal);
        else if (WatchRequestValidator.ExamIdProblem(exam) is { } bad) (status, outcome, problem) = (StatusCodes.Status400BadRequest, "InvalidArgument", bad);
        else if (!caller!.MayWatch(exam)) (status, outcome, problem) = (StatusCodes.Status403Forbidden, "PermissionDenied", "the token does not allow this exam");
        if (problem is null) return (caller, exam);
        audit.Record(new AuditRecord(DateTimeOffset.UtcNow, caller?.Subject ?? (token is null ? "anonymous" : "unknown-token"), context.Request.Path, outcome, exam,
            caller?.Role.ToString(), Peer(context), "http", Detail: problem));
        context.Response.StatusCode = status;
        await WriteErrorAsync(context, outcome, problem);
        return (null, exam);
    }

    private async Task FailAsync(HttpContext context, CallerIdentity caller, string exam, int status, string outcome, string detail)
    {
        Audit(context, caller, context.Request.Path, outcome, exam, detail);
        context.Response.StatusCode = status;
        await WriteErrorAsync(context, outcome, detail);
    }

    private static Task WriteErrorAsync(HttpContext context, string status, string detail) =>
        context.Response.WriteAsync(System.Text.Json.JsonSerializer.Serialize(new { status, detail }), context.RequestAborted);

    private void Audit(HttpContext context, CallerIdentity caller, string action, string outcome, string exam, string detail) =>
        audit.Record(new AuditRecord(DateTimeOffset.UtcNow, caller.Subject, action, outcome, exam, caller.Role.ToString(), Peer(context), "http", Detail: detail));

    private static string Peer(HttpContext context) => $"{context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}";
}
