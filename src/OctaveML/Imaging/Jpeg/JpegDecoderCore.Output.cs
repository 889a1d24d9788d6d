using OctaveML.Kernels.Jpeg;

namespace OctaveML.Imaging.Jpeg;

/// <summary>From component planes to output rows: upsampling as libjpeg-turbo's defaults, then colour conversion.</summary>
internal sealed unsafe partial class JpegDecoderCore
{
    private byte[][]? _rowBufs;
    private short[][]? _sums;
    private byte[]? _temp;

    /// <summary>
    /// Outputs every row not yet output whose component rows (and the row below, for the triangle
    /// filters) are decoded, once <paramref name="steps"/> steps (MCU rows) are in the ring planes.
    /// </summary>
    private void EmitRows(int steps)
    {
        var comps = _components!;
        int used = _lumaOnly ? 1 : comps.Length;
        bool last = steps >= _steps;
        if (_rowBufs is null)
        {
            _rowBufs = new byte[used][];
            _sums = new short[used][];
            for (int i = 0; i < used; i++)
            {
                _rowBufs[i] = Pinned<byte>(_width + 4 * JpegUpsample.Slack);
                _sums[i] = Pinned<short>(comps[i].DownW + 4 * JpegUpsample.Slack);
            }
            _temp = Pinned<byte>(3 * _width + 4 * JpegUpsample.Slack);
        }
        var rows = stackalloc byte*[4];
        fixed (byte* outBase = _pixels)
        {
            for (; _nextRow < _height; _nextRow++)
            {
                int y = _nextRow;
                if (!last)
                    for (int i = 0; i < used; i++)
                    {
                        var c = comps[i];
                        int vr = _vmax / c.V;
                        int need = vr == 1 ? y : Math.Min(y / vr + 1, c.DownH - 1);
                        if (need >= steps * c.RowsPerStep) return;
                    }
                for (int i = 0; i < used; i++) rows[i] = UpsampleRow(comps[i], y, _rowBufs[i], _sums![i]);
                ConvertRow(rows, outBase + (long)y * _width * _channels);
            }
        }
    }

    private void ConvertRow(byte** rows, byte* dst)
    {
        int w = _width;
        bool gray = _channels == 1;
        switch (_colorSpace)
        {
            case ColorSpace.Gray:
                if (gray) Buffer.MemoryCopy(rows[0], dst, w, w);
                else JpegColor.GrayToRgb(rows[0], dst, w);
                break;
            case ColorSpace.YCbCr:
                if (gray) Buffer.MemoryCopy(rows[0], dst, w, w);
                else JpegColor.YCbCrToRgb(rows[0], rows[1], rows[2], dst, w);
                break;
            case ColorSpace.Rgb:
                if (gray) JpegColor.RgbToGray(rows[0], rows[1], rows[2], dst, w);
                else JpegColor.InterleaveRgb(rows[0], rows[1], rows[2], dst, w);
                break;
            default:
                if (_colorSpace == ColorSpace.Ycck)
                {
                    // Converted in place, so work on copies of rows that are plane rows.
                    for (int i = 0; i < 3; i++)
                    {
                        byte* own = Ptr(_rowBufs![i]);
                        if (rows[i] != own) Buffer.MemoryCopy(rows[i], own, w, w);
                        rows[i] = own;
                    }
                    JpegColor.YccToCmyPlanes(rows[0], rows[1], rows[2], w);
                }
                // Taken as Adobe-inverted CMYK with or without the Adobe marker, as Pillow does:
                // CMYK JPEGs come from Adobe software, which writes them inverted.
                if (gray)
                {
                    byte* tmp = Ptr(_temp!);
                    JpegColor.InvertedCmykToRgb(rows[0], rows[1], rows[2], rows[3], tmp, w);
                    JpegColor.InterleavedRgbToGray(tmp, dst, w);
                }
                else JpegColor.InvertedCmykToRgb(rows[0], rows[1], rows[2], rows[3], dst, w);
                break;
        }
    }

    /// <summary>
    /// Row <paramref name="y"/> of component <paramref name="c"/> at full resolution: the plane row
    /// itself, or libjpeg-turbo's fancy (h2v1, h1v2, h2v2) or box upsampling of it into <paramref name="buf"/>.
    /// Rows and columns past the component's edge repeat its last real ones, as libjpeg's context rows do.
    /// </summary>
    private byte* UpsampleRow(JpegComponent c, int y, byte[] buf, short[] sum)
    {
        int hr = _hmax / c.H, vr = _vmax / c.V;
        byte* dst = Ptr(buf);
        if (hr == 1 && vr == 1) return Row(c, y);
        int dw = c.DownW;
        if (hr == 1 && vr == 2)
        {
            int cy = y >> 1;
            bool upper = (y & 1) == 0;
            int ny = upper ? Math.Max(cy - 1, 0) : Math.Min(cy + 1, c.DownH - 1);
            JpegUpsample.Vertical(Row(c, cy), Row(c, ny), dst, dw, upper ? 1 : 2);
            return dst;
        }
        if (hr == 2 && vr <= 2 && dw > 2)
        {
            short* s = Ptr(sum) + 1;
            if (vr == 1) JpegUpsample.Widen(Row(c, y), s, dw);
            else
            {
                int cy = y >> 1;
                bool upper = (y & 1) == 0;
                int ny = upper ? Math.Max(cy - 1, 0) : Math.Min(cy + 1, c.DownH - 1);
                JpegUpsample.ColumnSums(Row(c, cy), Row(c, ny), s, dw);
            }
            s[-1] = s[0];
            s[dw] = s[dw - 1];
            if (vr == 1) JpegUpsample.Horizontal(s, dw, dst, 1, 2, 2);
            else JpegUpsample.Horizontal(s, dw, dst, 8, 7, 4);
            return dst;
        }
        JpegUpsample.Replicate(Row(c, y / vr), hr, dst, _width);
        return dst;
    }

    private static byte* Row(JpegComponent c, int row) => c.PlanePtr + (long)(row % c.RingRows) * c.Stride;
}
