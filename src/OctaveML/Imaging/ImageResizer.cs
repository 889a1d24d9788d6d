using OctaveML.Kernels;
using OctaveML.Threading;

namespace OctaveML.Imaging;

/// <summary>
/// Resizes images to a fixed size with the semantics of ML.NET's ImageResizingEstimator
/// (<see cref="ResizingKind"/> and <see cref="Anchor"/>, same scaled size and offsets) and the
/// resampling of Pillow's <c>Image.resize(size, Image.BILINEAR)</c>.
/// </summary>
/// <remarks>
/// Placement follows ML.NET's code: aspect = target/source per axis in single precision; IsoPad takes
/// the smaller aspect and centres, padding with black (ML.NET draws onto a new opaque bitmap);
/// IsoCrop takes the larger and offsets per anchor (Top: 0, Bottom: target - scaled, Left/Right
/// likewise, otherwise centred), offsets truncated toward zero. One deliberate difference: the axis the
/// aspect was taken from is set to the target size exactly, where ML.NET's float product can come out
/// one pixel short and leave a black line.
/// Resampling is antialiased bilinear (a triangle filter whose support widens by the shrink factor,
/// as in Pillow 7+), bit-identical to Pillow's. ML.NET itself uses Skia (nearest for Fill, high
/// quality for the iso modes), so values differ from ML.NET's by resampling, not by geometry.
/// </remarks>
public static class ImageResizer
{
    /// <summary>
    /// Resizes <paramref name="image"/> to <paramref name="width"/> x <paramref name="height"/>.
    /// Defaults are ML.NET's ResizeImages defaults (IsoCrop, Center).
    /// </summary>
    public static Image Resize(Image image, int width, int height, ResizingKind kind = ResizingKind.IsoCrop, Anchor anchor = Anchor.Center)
    {
        ArgumentNullException.ThrowIfNull(image);
        var place = Plan(image.Width, image.Height, width, height, kind, anchor);
        int c = image.Channels;
        var output = new byte[(long)width * height * c];

        // The visible part of the scaled image.
        int x0 = Math.Max(0, place.X), x1 = Math.Min(width, place.X + place.Width);
        int y0 = Math.Max(0, place.Y), y1 = Math.Min(height, place.Y + place.Height);
        if (x1 <= x0 || y1 <= y0) return new Image(width, height, c, output);
        int visW = x1 - x0, visH = y1 - y0;
        var cx = Resample.Precompute(image.Width, place.Width, x0 - place.X, visW);
        var cy = Resample.Precompute(image.Height, place.Height, y0 - place.Y, visH);

        // Horizontal pass over only the source rows the vertical pass reads (Pillow does the same).
        int rowFirst = int.MaxValue, rowLast = 0;
        for (int i = 0; i < visH; i++)
        {
            if (cy.Count[i] == 0) continue;
            rowFirst = Math.Min(rowFirst, cy.Start[i]);
            rowLast = Math.Max(rowLast, cy.Start[i] + cy.Count[i]);
        }
        if (rowFirst == int.MaxValue) rowFirst = 0;
        int rows = Math.Max(1, rowLast - rowFirst);
        int rowBytes = visW * c;
        var temp = new byte[(long)rows * rowBytes];
        byte[] src = image.Pixels;
        int threads = (long)visW * (rows + visH) * c > 1 << 18 ? Parallelism.Threads : 1;
        Parallelism.ForChunks(rows, threads, (_, a, b) =>
            Resample.Horizontal(src, image.Width, c, rowFirst + a, rowFirst + b, cx, temp.AsSpan(a * rowBytes, (b - a) * rowBytes)));

        var block = new byte[(long)visH * rowBytes];
        Parallelism.ForChunks(visH, threads, (_, a, b) =>
            Resample.Vertical(temp, rowBytes, rowFirst, cy, a, b, block.AsSpan(a * rowBytes, (b - a) * rowBytes)));

        for (int y = 0; y < visH; y++)
            block.AsSpan(y * rowBytes, rowBytes).CopyTo(output.AsSpan(((y0 + y) * width + x0) * c));
        return new Image(width, height, c, output);
    }

    /// <summary>
    /// The scaled size and offset of a <paramref name="sourceWidth"/> x <paramref name="sourceHeight"/>
    /// image on a <paramref name="width"/> x <paramref name="height"/> canvas, as ML.NET computes them.
    /// </summary>
    public static ResizePlacement Plan(int sourceWidth, int sourceHeight, int width, int height, ResizingKind kind, Anchor anchor = Anchor.Center)
    {
        if (sourceWidth <= 0) throw new ArgumentOutOfRangeException(nameof(sourceWidth), sourceWidth, "sourceWidth must be positive.");
        if (sourceHeight <= 0) throw new ArgumentOutOfRangeException(nameof(sourceHeight), sourceHeight, "sourceHeight must be positive.");
        if (width <= 0) throw new ArgumentOutOfRangeException(nameof(width), width, "width must be positive.");
        if (height <= 0) throw new ArgumentOutOfRangeException(nameof(height), height, "height must be positive.");
        if (!Enum.IsDefined(kind)) throw new ArgumentOutOfRangeException(nameof(kind), kind, "kind must be Fill, IsoPad or IsoCrop.");
        if (!Enum.IsDefined(anchor)) throw new ArgumentOutOfRangeException(nameof(anchor), anchor, "anchor must be Right, Left, Top, Bottom or Center.");
        if (kind == ResizingKind.Fill) return new ResizePlacement(0, 0, width, height);

        float widthAspect = (float)width / sourceWidth;
        float heightAspect = (float)height / sourceHeight;
        int destX = 0, destY = 0, destW, destH;
        if (kind == ResizingKind.IsoPad)
        {
            if (heightAspect < widthAspect)
            {
                destX = (int)((width - sourceWidth * heightAspect) / 2);
                destW = (int)(sourceWidth * heightAspect);
                destH = height;
            }
            else
            {
                destY = (int)((height - sourceHeight * widthAspect) / 2);
                destW = width;
                destH = (int)(sourceHeight * widthAspect);
            }
        }
        else if (heightAspect < widthAspect)
        {
            // Width fills, height overflows: crop vertically.
            float scaled = sourceHeight * widthAspect;
            destY = anchor switch
            {
                Anchor.Top => 0,
                Anchor.Bottom => (int)(height - scaled),
                _ => (int)((height - scaled) / 2),
            };
            destW = width;
            destH = (int)scaled;
        }
        else
        {
            float scaled = sourceWidth * heightAspect;
            destX = anchor switch
            {
                Anchor.Left => 0,
                Anchor.Right => (int)(width - scaled),
                _ => (int)((width - scaled) / 2),
            };
            destW = (int)scaled;
            destH = height;
        }
        return new ResizePlacement(destX, destY, Math.Max(1, destW), Math.Max(1, destH));
    }
}
