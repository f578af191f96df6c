namespace CathLab.Dicom.Network.Pdus;

/// <summary>SCP/SCU role selection sub-item (PS3.7 §D.3.3.4): which roles the association requestor takes for one SOP class.</summary>
public sealed record RoleSelection(string SopClassUid, bool ScuRole, bool ScpRole);
