using System.Net.Sockets;

namespace CathLab.Dicom.Network.Association;

/// <summary>
/// Asks Linux to acknowledge the next segments at once (TCP_QUICKACK). Peers that leave Nagle's algorithm on
/// (Debian's dcmtk does unless TCP_NODELAY=1 is set) otherwise hold their second small write until our delayed
/// ACK fires, which costs ~40 ms per DIMSE exchange. The flag decays, so it is renewed before every PDU read.
/// </summary>
internal static class TcpQuickAck
{
    private const int IpProtocolTcp = 6;
    private const int TcpQuickAckOption = 12;
    private static readonly byte[] On = [1, 0, 0, 0];

    public static void Request(TcpClient client)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        try
        {
            client.Client.SetRawSocketOption(IpProtocolTcp, TcpQuickAckOption, On);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // best effort: a closed socket fails on the read that follows
        }
    }
}
