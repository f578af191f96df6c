namespace CathLab.Dicom.Network.Association;

/// <summary>How this toolkit names itself in A-ASSOCIATE user information and Part 10 meta headers.</summary>
public static class Implementation
{
    /// <summary>A UUID-derived UID (PS3.5 §B.2), fixed for this implementation.</summary>
    public const string ClassUid = "2.25.183831514808561977484112054064010616244";
    public const string VersionName = "CATHLAB_NET_1";
}
