using OctaveML.Imaging;

namespace OctaveML.Tests.Pipeline;

/// <summary>Writes small PNG image folders (folder per class) for the pipeline tests.</summary>
internal static class PipelineTestImages
{
    public static string NewFolder(string name)
    {
        string dir = Path.Combine(Path.GetTempPath(), "octaveml-pipeline-" + name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>
    /// Classes with clearly different images: "red" (reddish, noisy), "green" (greenish) and
    /// "stripes" (black/white vertical bars); sizes vary so resizing matters.
    /// </summary>
    public static string WriteFolder(string name, int perClass, int seed = 1, string[]? classes = null)
    {
        string root = NewFolder(name);
        var rng = new Random(seed);
        classes ??= ["green", "red", "stripes"];
        foreach (var cls in classes)
        {
            Directory.CreateDirectory(Path.Combine(root, cls));
            for (int i = 0; i < perClass; i++)
            {
                int w = 12 + rng.Next(8), h = 12 + rng.Next(8);
                var px = new byte[w * h * 3];
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                    {
                        int o = (y * w + x) * 3;
                        byte noise = (byte)rng.Next(40);
                        switch (cls)
                        {
                            case "red": px[o] = (byte)(200 + noise / 2); px[o + 1] = noise; px[o + 2] = noise; break;
                            case "green": px[o] = noise; px[o + 1] = (byte)(200 + noise / 2); px[o + 2] = noise; break;
                            default: byte v = (x / 2 % 2 == 0) ? (byte)(230 - noise) : noise; px[o] = px[o + 1] = px[o + 2] = v; break;
                        }
                    }
                PngEncoder.Save(new Image(w, h, 3, px), Path.Combine(root, cls, $"{i:D3}.png"));
            }
        }
        return root;
    }
}
