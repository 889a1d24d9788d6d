namespace OctaveML.Imaging;

/// <summary>
/// Where the scaled image lands on the target canvas: its top-left corner (negative when cropped)
/// and its scaled size. Pixels of the canvas it does not cover are black.
/// </summary>
public readonly record struct ResizePlacement(int X, int Y, int Width, int Height);
