namespace CathLab.Dicom.Iods.Xa;

/// <summary>
/// The subtraction a DSA run asks for (Mask module, C.7.6.10): an average of the mask frames (AVG_SUB) subtracted
/// from the frames of <see cref="ApplicableFrames"/> (1-based, inclusive; default: the frame after the last mask
/// frame to the last frame), with an optional sub-pixel shift of the mask (rows, columns).
/// </summary>
public sealed record DsaMask(IReadOnlyList<int> MaskFrameNumbers)
{
    public (int First, int Last)? ApplicableFrames { get; init; }
    public (float Rows, float Columns)? SubPixelShift { get; init; }
}
