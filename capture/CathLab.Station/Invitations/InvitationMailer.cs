using System.Net.Mail;
using CathLab.Security.Invitations;
using CathLab.Station.Configuration;

namespace CathLab.Station.Invitations;

/// <summary>E-mails an invitation's link to the invitee's address through the site's SMTP relay (Station:Mail). An
/// invitation to an identity (no address), or no relay configured, is not mailed; the link is shown to the inviter.</summary>
public sealed class InvitationMailer(MailOptions options, ILogger<InvitationMailer> logger)
{
    /// <returns>Whether it was sent, and why not when it was not.</returns>
    public async Task<(bool Sent, string? Problem)> SendAsync(IssuedInvitation issued, CancellationToken ct)
    {
        var invitation = issued.Invitation;
        if (!options.Configured || !invitation.InvitesAddress) return (false, null);
        using var message = new MailMessage(options.From, invitation.Invitee)
        {
            Subject = $"Invitation to cath lab exam {invitation.ExamId}",
            Body = $"""
                {invitation.InvitedBy} invites you to exam {invitation.ExamId} as {invitation.Role.ToString().ToLowerInvariant()}, until {invitation.ExpiresAt:u}.

                Open this link and sign in as {invitation.Invitee}; it works once:
                {issued.Link}
                """,
        };
        message.BodyTransferEncoding = System.Text.Ascii.IsValid(message.Body) ? System.Net.Mime.TransferEncoding.SevenBit : System.Net.Mime.TransferEncoding.QuotedPrintable;
        using var smtp = new SmtpClient(options.Host, options.Port) { EnableSsl = options.StartTls, DeliveryMethod = SmtpDeliveryMethod.Network };
        try
        {
            await smtp.SendMailAsync(message, ct);
            return (true, null);
        }
        catch (Exception e) when (e is SmtpException or FormatException)
        {
            logger.LogWarning("invitation {Id}: mail to {Invitee} not sent: {Why}", invitation.Id, invitation.Invitee, e.Message);
            return (false, e.Message);
        }
    }
}
