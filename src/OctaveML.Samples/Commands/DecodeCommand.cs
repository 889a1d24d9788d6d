using System.CommandLine;
using System.Text;
using OctaveML.Imaging;

namespace OctaveML.Samples.Commands;

/// <summary>
/// <c>decode</c>: decodes an image with OctaveML's decoders and writes the pixels as binary PPM (RGB)
/// or PGM (grayscale), so any other decoder's output can be compared byte for byte.
/// </summary>
public static class DecodeCommand
{
    /// <summary>The System.CommandLine command.</summary>
    public static Command Create(TextWriter output, TextWriter error)
    {
        var image = new Argument<string>("image") { Description = "JPEG, PNG, BMP or PNM file" };
        var outPath = new Option<string>("--out") { Description = "output .ppm (RGB) or .pgm (grayscale) file", Required = true };
        var command = new Command("decode", "Decode an image and write its pixels as binary PPM/PGM.") { image, outPath };
        command.SetAction(r => Cli.Guard(error, () =>
        {
            var img = Run(r.GetValue(image)!, r.GetValue(outPath)!);
            output.WriteLine($"{r.GetValue(image)}: {img.Width}x{img.Height}, {img.Channels} channel(s) -> {r.GetValue(outPath)}");
            return 0;
        }));
        return command;
    }

    /// <summary>Decodes <paramref name="imagePath"/> and writes it to <paramref name="outPath"/> (.pgm = grayscale, .ppm = RGB).</summary>
    public static Image Run(string imagePath, string outPath)
    {
        string ext = Path.GetExtension(outPath).ToLowerInvariant();
        if (ext is not (".ppm" or ".pgm")) throw new UsageException($"--out: got {outPath}; expected a .ppm (RGB) or .pgm (grayscale) file name.");
        if (!File.Exists(imagePath)) throw new UsageException($"image: {imagePath} does not exist; expected an image file.");
        var image = ImageDecoder.Decode(imagePath, new DecodeOptions { Grayscale = ext == ".pgm" });
        WritePnm(image, outPath);
        return image;
    }

    /// <summary>Writes <paramref name="image"/> as binary PGM (P5, 1 channel) or PPM (P6, 3 channels), maxval 255.</summary>
    public static void WritePnm(Image image, string path)
    {
        using var file = File.Create(path);
        var header = Encoding.ASCII.GetBytes($"{(image.Channels == 1 ? "P5" : "P6")}\n{image.Width} {image.Height}\n255\n");
        file.Write(header);
        file.Write(image.Pixels);
    }
}
