namespace CathLab.Dicom.Network.Pdus;

/// <summary>Asynchronous operations window sub-item (PS3.7 §D.3.3.3); 0 means unlimited.</summary>
public readonly record struct AsyncOperationsWindow(ushort MaxInvoked, ushort MaxPerformed);
