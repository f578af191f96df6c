namespace CathLab.Dicom.Network.Attributes;

/// <summary>One element of an <see cref="AttributeSet"/>: a raw value, or the items of a sequence.</summary>
public sealed record AttributeElement(uint Tag, string Vr, byte[] Value, IReadOnlyList<AttributeSet>? Items = null);
