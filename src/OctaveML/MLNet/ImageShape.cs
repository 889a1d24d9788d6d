namespace OctaveML.MLNet;

/// <summary>The planar shape [C, H, W] of the images in a feature column.</summary>
internal readonly record struct ImageShape(int Channels, int Height, int Width)
{
    /// <summary>Values per image.</summary>
    public int Size => Channels * Height * Width;

    /// <inheritdoc/>
    public override string ToString() => $"[{Channels}, {Height}, {Width}]";
}
