using System.Text;
using OctaveML.Imaging;

namespace OctaveML.Tests.Imaging;

/// <summary>The image corpus of test/data (made by tools/imaging/make_png_corpus.py) and a reader for its references.</summary>
internal static class ImagingData
{
    public static string Folder(string sub) => Path.Combine(AppContext.BaseDirectory, "data", sub);

    /// <summary>Image files of a corpus folder that have an X.expected.ppm reference (file names relative to the folder).</summary>
    public static IEnumerable<object[]> Files(string sub) =>
        Directory.GetFiles(Folder(sub))
            .Where(f => !f.EndsWith(".expected.ppm", StringComparison.Ordinal) && File.Exists(ExpectedPath(f)))
            .Select(f => new object[] { Path.GetFileName(f) })
            .OrderBy(o => (string)o[0], StringComparer.Ordinal);

    public static string ExpectedPath(string file) =>
        Path.Combine(Path.GetDirectoryName(file)!, Path.GetFileNameWithoutExtension(file) + ".expected.ppm");

    /// <summary>
    /// Reads a binary P5/P6 file with maxval 255 (the references Pillow wrote), independently of
    /// OctaveML's PnmDecoder so the decoder tests do not lean on the code they check.
    /// </summary>
    public static (int Width, int Height, int Channels, byte[] Pixels) ReadNetpbm(string path)
    {
        byte[] d = File.ReadAllBytes(path);
        int pos = 2;
        int channels = d[1] == '6' ? 3 : 1;
        int Next()
        {
            while (char.IsWhiteSpace((char)d[pos]) || d[pos] == '#')
            {
                if (d[pos] == '#') while (d[pos] != '\n') pos++;
                pos++;
            }
            int start = pos;
            while (char.IsDigit((char)d[pos])) pos++;
            return int.Parse(Encoding.ASCII.GetString(d, start, pos - start));
        }
        int w = Next(), h = Next(), max = Next();
        if (max != 255) throw new InvalidDataException($"{path}: reference maxval {max}");
        pos++;
        return (w, h, channels, d.AsSpan(pos, w * h * channels).ToArray());
    }

    /// <summary>Largest and mean absolute difference of two equally sized byte arrays.</summary>
    public static (int Max, double Mean) Diff(byte[] a, byte[] b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"lengths differ: {a.Length} vs {b.Length}");
        int max = 0; long sum = 0;
        for (int i = 0; i < a.Length; i++) { int d = Math.Abs(a[i] - b[i]); max = Math.Max(max, d); sum += d; }
        return (max, a.Length == 0 ? 0 : (double)sum / a.Length);
    }

    public static byte[] Luma(byte[] rgb)
    {
        var g = new byte[rgb.Length / 3];
        for (int i = 0; i < g.Length; i++)
            g[i] = (byte)((rgb[3 * i] * 19595 + rgb[3 * i + 1] * 38470 + rgb[3 * i + 2] * 7471 + 0x8000) >> 16);
        return g;
    }

    /// <summary>An image of deterministic pseudo-random bytes.</summary>
    public static Image Noise(int w, int h, int c, int seed)
    {
        var px = new byte[w * h * c];
        new Random(seed).NextBytes(px);
        return new Image(w, h, c, px);
    }
}
