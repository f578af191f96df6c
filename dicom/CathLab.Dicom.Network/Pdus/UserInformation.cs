namespace CathLab.Dicom.Network.Pdus;

/// <summary>User information item of A-ASSOCIATE-RQ/AC (PS3.8 §9.3.2.3, PS3.7 Annex D).</summary>
public sealed record UserInformation
{
    /// <summary>Largest P-DATA-TF PDU variable field the sender can receive; 0 means no limit.</summary>
    public uint MaxPduLength { get; init; }
    public string ImplementationClassUid { get; init; } = "";
    public string? ImplementationVersionName { get; init; }
    public AsyncOperationsWindow? AsyncOperations { get; init; }
    public IReadOnlyList<RoleSelection> RoleSelections { get; init; } = [];
}
