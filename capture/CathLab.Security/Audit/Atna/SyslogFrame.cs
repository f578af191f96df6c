using System.Globalization;
using System.Text;

namespace CathLab.Security.Audit.Atna;

/// <summary>An RFC 5424 syslog message carrying an audit message (facility authpriv, MSGID IHE+RFC-3881 as IHE ATNA
/// asks), framed by octet counting (RFC 6587 3.4.1, as RFC 5425 frames over TLS): "LENGTH SP MESSAGE".</summary>
public static class SyslogFrame
{
    private const int AuthPriv = 10;

    public static byte[] Of(DateTimeOffset at, string host, string appName, bool failure, string xml)
    {
        int severity = failure ? 4 : 5; // warning, notice
        string header = string.Create(CultureInfo.InvariantCulture,
            $"<{AuthPriv * 8 + severity}>1 {at.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'} {Field(host)} {Field(appName)} {Environment.ProcessId} IHE+RFC-3881 - ");
        byte[] body = Encoding.UTF8.GetBytes(header + xml);
        byte[] prefix = Encoding.ASCII.GetBytes(body.Length.ToString(CultureInfo.InvariantCulture) + " ");
        return [.. prefix, .. body];
    }

    /// <summary>A header field: printable ASCII without spaces, "-" when empty (RFC 5424 6.2).</summary>
    private static string Field(string value)
    {
        var chars = value.Where(c => c is > ' ' and <= '~').Take(48).ToArray();
        return chars.Length == 0 ? "-" : new string(chars);
    }
}
