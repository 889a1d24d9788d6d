using System.CommandLine;
using OctaveML.Imaging;

namespace OctaveML.Samples.Commands;

/// <summary><c>preview</c>: writes, as PNG, what a model sees of an image after decoding and resizing.</summary>
public static class PreviewCommand
{
    /// <summary>The --resize names and their kinds.</summary>
    public static readonly IReadOnlyDictionary<string, ResizingKind> Resizings = new Dictionary<string, ResizingKind>
    {
        ["crop"] = ResizingKind.IsoCrop, ["pad"] = ResizingKind.IsoPad, ["fill"] = ResizingKind.Fill,
    };

    /// <summary>The System.CommandLine command.</summary>
    public static Command Create(TextWriter output, TextWriter error)
    {
        var image = new Argument<string>("image") { Description = "JPEG, PNG, BMP or PNM file" };
        var size = new Option<int>("--size") { Description = "output side in pixels", DefaultValueFactory = _ => 224 };
        var resize = new Option<string>("--resize") { Description = "crop | pad | fill", DefaultValueFactory = _ => "crop" };
        var gray = new Option<bool>("--grayscale") { Description = "decode to one gray channel" };
        var outPath = new Option<string>("--out") { Description = "output .png file", Required = true };
        var command = new Command("preview", "Write the resized image a model would see as PNG.") { image, size, resize, gray, outPath };
        command.SetAction(r => Cli.Guard(error, () =>
        {
            var img = Run(r.GetValue(image)!, r.GetValue(size), r.GetValue(resize)!, r.GetValue(gray), r.GetValue(outPath)!);
            output.WriteLine($"{r.GetValue(image)} -> {r.GetValue(outPath)} ({img.Width}x{img.Height}, {r.GetValue(resize)})");
            return 0;
        }));
        return command;
    }

    /// <summary>Decodes, resizes to <paramref name="size"/> square with <paramref name="resize"/>, and saves PNG.</summary>
    public static Image Run(string imagePath, int size, string resize, bool grayscale, string outPath)
    {
        if (size is < 1 or > 8192) throw new UsageException($"--size: got {size}; expected a side in [1, 8192].");
        if (!Resizings.TryGetValue(resize, out var kind)) throw new UsageException($"--resize: got {resize}; expected crop, pad or fill.");
        if (!string.Equals(Path.GetExtension(outPath), ".png", StringComparison.OrdinalIgnoreCase))
            throw new UsageException($"--out: got {outPath}; expected a .png file name.");
        if (!File.Exists(imagePath)) throw new UsageException($"image: {imagePath} does not exist; expected an image file.");
        var decoded = ImageDecoder.Decode(imagePath, new DecodeOptions { Grayscale = grayscale });
        var resized = ImageResizer.Resize(decoded, size, size, kind);
        PngEncoder.Save(resized, outPath);
        return resized;
    }
}
