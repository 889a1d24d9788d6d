namespace OctaveML.Imaging;

/// <summary>
/// Which part of the image <see cref="ResizingKind.IsoCrop"/> keeps (ML.NET's ImageResizingEstimator.Anchor):
/// Left/Right apply when the width is cropped, Top/Bottom when the height is; anything else centres.
/// </summary>
public enum Anchor
{
    Right = 0,
    Left = 1,
    Top = 2,
    Bottom = 3,
    Center = 4,
}
