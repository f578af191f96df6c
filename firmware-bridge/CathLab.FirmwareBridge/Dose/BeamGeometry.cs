namespace CathLab.FirmwareBridge.Dose;

/// <summary>The beam's geometry for dose-area product: the collimated field at the image receptor, the
/// source-image distance, and the source's distance to the interventional reference point
/// (15 cm from the isocentre towards the focal spot).</summary>
public readonly record struct BeamGeometry(double FieldWidthCm, double FieldHeightCm, double SourceImageDistanceCm, double SourceReferenceDistanceCm)
{
    public static BeamGeometry Default { get; } = new(20, 20, 100, 60);

    /// <summary>Field area at the reference point: the receptor field scaled by the inverse square of the distances
    /// (the field grows linearly with distance, so its area with the square).</summary>
    public double FieldAreaAtReferenceCm2
    {
        get
        {
            double scale = SourceReferenceDistanceCm / SourceImageDistanceCm;
            return FieldWidthCm * FieldHeightCm * scale * scale;
        }
    }

    public void Validate()
    {
        if (!(FieldWidthCm > 0 && FieldHeightCm > 0 && SourceImageDistanceCm > 0 && SourceReferenceDistanceCm > 0 && SourceReferenceDistanceCm < SourceImageDistanceCm))
        {
            throw new ArgumentOutOfRangeException(nameof(BeamGeometry), this, "field sizes and distances must be positive, the reference point between source and receptor");
        }
    }
}
