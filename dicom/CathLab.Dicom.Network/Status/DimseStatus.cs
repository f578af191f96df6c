using CathLab.Dicom.Network.Dimse;

namespace CathLab.Dicom.Network.Status;

/// <summary>A status returned by a peer: its code, what the standard says it means, and whether a retry can help.</summary>
public readonly record struct DimseStatus(ushort Code, StatusCategory Category, string Meaning, FailureKind? Failure, string? ErrorComment = null)
{
    public static readonly DimseStatus Success = DimseStatusCatalog.Describe(0x0000);

    public bool IsSuccess => Category == StatusCategory.Success;
    public bool IsPending => Category == StatusCategory.Pending;
    public bool IsWarning => Category == StatusCategory.Warning;
    public bool IsFailure => Category is StatusCategory.Failure or StatusCategory.Cancel;

    /// <summary>Success or warning: the operation was performed.</summary>
    public bool IsDone => Category is StatusCategory.Success or StatusCategory.Warning;

    public static DimseStatus From(CommandSet response) =>
        DimseStatusCatalog.Describe(response.Status ?? throw new Pdus.PduFormatException($"{response.Field} carries no Status (0000,0900)"),
            response.Field) with { ErrorComment = response.ErrorComment };

    public override string ToString() =>
        $"{Code:X4} {Category}: {Meaning}{(Failure is { } f ? $" [{f}]" : "")}{(ErrorComment is { Length: > 0 } c ? $" ({c})" : "")}";
}
