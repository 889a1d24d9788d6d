using System.IO.Compression;
using System.Text;
using OctaveML.Imaging;

namespace OctaveML.Tests.Imaging;

/// <summary>The JPEG conformance corpus (test/data/jpeg, made by tools/imaging/make_jpeg_corpus.py) and its djpeg references.</summary>
internal static class JpegCorpus
{
    public static string Dir => Path.Combine(AppContext.BaseDirectory, "data", "jpeg");

    public static string PathOf(string name) => Path.Combine(Dir, name);

    public static byte[] Bytes(string name) => File.ReadAllBytes(PathOf(name));

    /// <summary>Every JPEG of the corpus except the unsupported variants.</summary>
    public static IEnumerable<string> Supported() =>
        Directory.GetFiles(Dir, "*.jpg").Select(Path.GetFileName).Where(n => !n!.StartsWith("unsupported_")).Order()!;

    /// <summary>The reference for a stem (e.g. "base_420" or "base_420.gray"), following .ref links; null if none.</summary>
    public static Image? Reference(string stem)
    {
        foreach (var ext in new[] { ".ppm.gz", ".pgm.gz" })
            if (File.Exists(PathOf(stem + ext))) return ReadPnmGz(PathOf(stem + ext));
        if (File.Exists(PathOf(stem + ".ref")))
            return ReadPnmGz(PathOf(File.ReadAllText(PathOf(stem + ".ref")).Trim()));
        return null;
    }

    /// <summary>Reads a gzip'd binary PGM (P5) or PPM (P6) with maxval 255.</summary>
    public static Image ReadPnmGz(string path)
    {
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        var data = ms.ToArray();
        int pos = 0;
        string Token()
        {
            while (char.IsWhiteSpace((char)data[pos])) pos++;
            int start = pos;
            while (!char.IsWhiteSpace((char)data[pos])) pos++;
            return Encoding.ASCII.GetString(data, start, pos - start);
        }
        string magic = Token();
        int w = int.Parse(Token()), h = int.Parse(Token()), max = int.Parse(Token());
        pos++;
        if (max != 255 || magic is not ("P5" or "P6")) throw new InvalidDataException($"{path}: unexpected PNM header {magic} {max}");
        int ch = magic == "P5" ? 1 : 3;
        return new Image(w, h, ch, data.AsSpan(pos, w * h * ch).ToArray());
    }

    /// <summary>Largest absolute difference between two images of the same size; a 1-channel reference is compared with every channel.</summary>
    public static int MaxAbsDiff(Image actual, Image expected)
    {
        actual.Width.Should().Be(expected.Width);
        actual.Height.Should().Be(expected.Height);
        if (expected.Channels == 3) actual.Channels.Should().Be(3);
        int max = 0;
        for (int i = 0; i < actual.Width * actual.Height; i++)
            for (int c = 0; c < actual.Channels; c++)
            {
                int e = expected.Pixels[i * expected.Channels + (expected.Channels == 1 ? 0 : c)];
                max = Math.Max(max, Math.Abs(actual.Pixels[i * actual.Channels + c] - e));
            }
        return max;
    }
}
