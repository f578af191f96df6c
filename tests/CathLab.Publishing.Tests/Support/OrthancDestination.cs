using CathLab.Testing;

namespace CathLab.Publishing.Tests.Support;

/// <summary>The test Orthanc as the outbox's PACS destination.</summary>
public static class OrthancDestination
{
    public static PacsDestination Destination(this OrthancPeer orthanc, string name = "orthanc") =>
        new(name, OrthancPeer.AeTitle, "127.0.0.1", orthanc.DicomPort);
}
