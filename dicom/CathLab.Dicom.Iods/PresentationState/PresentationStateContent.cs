using CathLab.Dicom.Iods.Context;

namespace CathLab.Dicom.Iods.PresentationState;

/// <summary>The display window (center/width) and zoom (1 = the whole frame) the frame was seen with; null window
/// means the image's own.</summary>
public sealed record PresentationView(double? WindowCenter, double? WindowWidth, double Zoom = 1);

/// <summary>Everything one Grayscale Softcopy Presentation State says: the frame it applies to, how it is shown, its
/// marks, and who made it when.</summary>
public sealed record PresentationStateContent
{
    public required PresentedImage Image { get; init; }

    /// <summary>1-based frame of the image the state applies to.</summary>
    public required int Frame { get; init; }

    public required PresentationView View { get; init; }
    public required IReadOnlyList<PresentationMark> Marks { get; init; }

    public required string SopInstanceUid { get; init; }
    public required string SeriesInstanceUid { get; init; }
    public int SeriesNumber { get; init; } = 900;
    public int InstanceNumber { get; init; } = 1;
    public required EquipmentInfo Equipment { get; init; }

    /// <summary>Content Label (0070,0080): CS, at most 16 of A-Z, 0-9, space and underscore.</summary>
    public string Label { get; init; } = "DISCUSSION";

    /// <summary>Content Description (0070,0081), at most 64 characters.</summary>
    public string Description { get; init; } = "";

    /// <summary>Content Creator's Name (0070,0084), a person name.</summary>
    public string CreatorName { get; init; } = "";

    public required DateTime CreatedAt { get; init; }
}
