using OctaveML.Tests.Infrastructure;

namespace OctaveML.Tests.Samples;

/// <summary>Temporary folders and small images for the command tests.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "octaveml-samples-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes a w x h RGB PNG with a different value in every byte (a gradient plus a channel offset).</summary>
    public static void SaveGradient(string path, int w, int h, int seed = 0)
    {
        var px = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int c = 0; c < 3; c++)
                    px[(y * w + x) * 3 + c] = (byte)(x * 7 + y * 13 + c * 50 + seed * 31);
        TestPng.Save(path, w, h, px);
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
