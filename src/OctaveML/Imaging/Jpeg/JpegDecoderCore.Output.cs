using OctaveML.Kernels.Jpeg;

namespace OctaveML.Imaging.Jpeg;

/// <summary>From component planes to the output image: upsampling as libjpeg-turbo's defaults, then colour conversion.</summary>
internal sealed unsafe partial class JpegDecoderCore
{
    private Image Output()
    {
        var comps = _components!;
        int w = _width, h = _height;
        bool gray = _options.Grayscale;
        int channels = gray ? 1 : 3;
        var pixels = new byte[(long)w * h * channels];
        int used = _lumaOnly ? 1 : comps.Length;

        var rowBufs = new byte[used][];
        var sums = new short[used][];
        var rows = stackalloc byte*[4];
        for (int i = 0; i < used; i++)
        {
            rowBufs[i] = Pinned<byte>(w + 4 * JpegUpsample.Slack);
            sums[i] = Pinned<short>(comps[i].DownW + 4 * JpegUpsample.Slack);
        }
        // YCCK converts in place, so it works on copies; CMYK to gray goes through an RGB row.
        var temp = Pinned<byte>(3 * w + 4 * JpegUpsample.Slack);
        byte* tmp = Ptr(temp);

        fixed (byte* outBase = pixels)
        {
            for (int y = 0; y < h; y++)
            {
                for (int i = 0; i < used; i++) rows[i] = UpsampleRow(comps[i], y, rowBufs[i], sums[i]);
                byte* dst = outBase + (long)y * w * channels;
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
                            for (int i = 0; i < 3; i++)
                            {
                                if (rows[i] != Ptr(rowBufs[i])) Buffer.MemoryCopy(rows[i], Ptr(rowBufs[i]), w, w);
                                rows[i] = Ptr(rowBufs[i]);
                            }
                            JpegColor.YccToCmyPlanes(rows[0], rows[1], rows[2], w);
                        }
                        if (gray)
                        {
                            JpegColor.InvertedCmykToRgb(rows[0], rows[1], rows[2], rows[3], tmp, w);
                            JpegColor.InterleavedRgbToGray(tmp, dst, w);
                        }
                        else JpegColor.InvertedCmykToRgb(rows[0], rows[1], rows[2], rows[3], dst, w);
                        break;
                }
            }
        }
        return new Image(w, h, channels, pixels);
    }

    /// <summary>
    /// Row <paramref name="y"/> of component <paramref name="c"/> at full resolution: the plane row
    /// itself, or libjpeg-turbo's fancy (h2v1, h1v2, h2v2) or box upsampling of it into <paramref name="buf"/>.
    /// Rows and columns past the component's edge repeat its last real ones, as libjpeg's context rows do.
    /// </summary>
    private byte* UpsampleRow(JpegComponent c, int y, byte[] buf, short[] sum)
    {
        int hr = _hmax / c.H, vr = _vmax / c.V;
        byte* plane = Ptr(c.Plane);
        byte* dst = Ptr(buf);
        if (hr == 1 && vr == 1) return plane + (long)y * c.Stride;
        int dw = c.DownW;
        if (hr == 1 && vr == 2)
        {
            int cy = y >> 1;
            bool upper = (y & 1) == 0;
            int ny = upper ? Math.Max(cy - 1, 0) : Math.Min(cy + 1, c.DownH - 1);
            JpegUpsample.Vertical(plane + (long)cy * c.Stride, plane + (long)ny * c.Stride, dst, dw, upper ? 1 : 2);
            return dst;
        }
        if (hr == 2 && vr <= 2 && dw > 2)
        {
            short* s = Ptr(sum) + 1;
            int cy = vr == 2 ? y >> 1 : y;
            if (vr == 1) JpegUpsample.Widen(plane + (long)cy * c.Stride, s, dw);
            else
            {
                bool upper = (y & 1) == 0;
                int ny = upper ? Math.Max(cy - 1, 0) : Math.Min(cy + 1, c.DownH - 1);
                JpegUpsample.ColumnSums(plane + (long)cy * c.Stride, plane + (long)ny * c.Stride, s, dw);
            }
            s[-1] = s[0];
            s[dw] = s[dw - 1];
            if (vr == 1) JpegUpsample.Horizontal(s, dw, dst, 1, 2, 2);
            else JpegUpsample.Horizontal(s, dw, dst, 8, 7, 4);
            return dst;
        }
        JpegUpsample.Replicate(plane + (long)(y / vr) * c.Stride, hr, dst, _width);
        return dst;
    }
}
