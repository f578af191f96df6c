namespace CathLab.Dicom.Iods.Context;

/// <summary>A series of the exam; the modality is fixed by the object written into it (XA or SR).</summary>
public sealed record SeriesInfo(string InstanceUid, int Number)
{
    public string Description { get; init; } = "";
    public string BodyPartExamined { get; init; } = "";

    /// <summary>Laterality (0020,0060) of a paired body part: "R", "L", or "" when the side is not known.</summary>
    public string Laterality { get; init; } = "";

    /// <summary>Body parts that come in pairs, for which General Series needs Laterality (Type 2C, empty when unknown).</summary>
    public static readonly IReadOnlySet<string> PairedBodyParts = new HashSet<string>(StringComparer.Ordinal)
    {
        "EXTREMITY", "ARM", "LEG", "UPPEREXTREMITY", "LOWEREXTREMITY", "HAND", "FOOT", "KNEE", "HIP", "SHOULDER", "ELBOW",
        "WRIST", "ANKLE", "BREAST", "EYE", "KIDNEY", "LUNG", "FEMUR", "TIBIA", "CLAVICLE", "FOREARM", "THIGH",
    };

    public bool NeedsLaterality => PairedBodyParts.Contains(BodyPartExamined);
}
