namespace CathLab.Dicom.Iods.Xa;

/// <summary>Radiation Setting (0018,1155): SC low dose (fluoroscopy-like), GR high dose (cine, DSA).</summary>
public enum RadiationSetting
{
    Sc,
    Gr,
}
