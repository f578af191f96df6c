namespace CathLab.Dicom.Network.Association;

/// <summary>The states of PS3.8 §9.2's machine that this toolkit distinguishes.</summary>
public enum AssociationState
{
    /// <summary>Sta5: A-ASSOCIATE-RQ sent, waiting for AC/RJ.</summary>
    AwaitingAssociateResponse,

    /// <summary>Sta2: connection accepted, waiting for A-ASSOCIATE-RQ (ARTIM running).</summary>
    AwaitingAssociateRequest,

    /// <summary>Sta6: data transfer.</summary>
    Established,

    /// <summary>Sta7: A-RELEASE-RQ sent, waiting for A-RELEASE-RP.</summary>
    AwaitingReleaseResponse,

    /// <summary>Sta13 then Sta1: released or aborted, connection closed.</summary>
    Closed,
}
