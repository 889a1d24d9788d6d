namespace OctaveML.Imaging.Jpeg;

/// <summary>One colour component of a JPEG frame: sampling, tables, and its decoded samples.</summary>
internal sealed unsafe class JpegComponent
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
    /// <summary>
    /// Samples: a ring of <see cref="RingRows"/> rows, BlocksW*8 wide (<see cref="Stride"/>), holding
    /// three steps (MCU rows) so upsampling sees the rows above and below; slack at the end for SIMD.
    /// Row r of the component lives at ring row r % RingRows.
    /// </summary>
    public byte[] Plane = Array.Empty<byte>();
    public byte* PlanePtr;
    public int Stride, RingRows;
    /// <summary>Sample rows one step (MCU row of the frame, or block row of a lone component) adds.</summary>
    public int RowsPerStep;
    /// <summary>Quantised coefficients of every block (progressive only), 64 per block in natural order.</summary>
    public short[]? Coefs;
}
