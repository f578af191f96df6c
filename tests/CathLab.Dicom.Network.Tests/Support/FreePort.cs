using System.Net;
using System.Net.Sockets;

namespace CathLab.Dicom.Network.Tests.Support;

/// <summary>A 127.0.0.1 port that was free a moment ago, for peers (dcmtk, Orthanc) that cannot bind port 0 themselves.</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
