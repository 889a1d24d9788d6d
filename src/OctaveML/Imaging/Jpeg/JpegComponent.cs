namespace OctaveML.Imaging.Jpeg;

/// <summary>One colour component of a JPEG frame: sampling, tables, and its decoded samples.</summary>
internal sealed class JpegComponent
{
    public int Id, H, V, QuantIndex;
    /// <summary>Blocks per row/column on the MCU grid (what interleaved scans cover).</summary>
    public int BlocksW, BlocksH;
    /// <summary>Blocks per row/column that hold image data (what non-interleaved scans cover).</summary>
    public int CompBlocksW, CompBlocksH;
    /// <summary>libjpeg's downsampled_width/height: ceil(image size * factor / max factor).</summary>
    public int DownW, DownH;
    public int DcTable, AcTable;
    public int Pred;
    /// <summary>Dequantisation table in natural order, latched at the component's first scan.</summary>
    public int[]? Quant;
    /// <summary>Samples, BlocksW*8 wide (<see cref="Stride"/>), BlocksH*8 tall, with slack at the end.</summary>
    public byte[] Plane = Array.Empty<byte>();
    public int Stride;
    /// <summary>Quantised coefficients of every block (progressive only), 64 per block in natural order.</summary>
    public short[]? Coefs;
}
