using System.Buffers.Binary;
using System.IO.Compression;
using OctaveML.Data;

namespace OctaveML.Tests.Data;

/// <summary>Where the test data lives, and writers for small IDX / CIFAR files made by the tests.</summary>
public static class DataFiles
{
    /// <summary>Debian's dataset-fashion-mnist (installed by .ci/run).</summary>
    public const string DebianFashionMnist = "/usr/share/datasets/fashion-mnist";

    /// <summary>The repository's data/fashion-mnist-small, found by walking up from the test assembly to OctaveML.sln.</summary>
    public static string FashionSmall
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "OctaveML.sln")))
                    return Path.Combine(dir.FullName, "data", "fashion-mnist-small");
            throw new DirectoryNotFoundException($"no OctaveML.sln above {AppContext.BaseDirectory}; cannot find data/fashion-mnist-small.");
        }
    }

    /// <summary>A fresh temporary folder, deleted on dispose.</summary>
    public sealed class TempFolder : IDisposable
    {
        public TempFolder() => Directory.CreateDirectory(Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "octaveml-data-" + Guid.NewGuid().ToString("N")));
        public string Path { get; }
        public string File(string name) => System.IO.Path.Combine(Path, name);
        public void Dispose() { try { Directory.Delete(Path, recursive: true); } catch (IOException) { } }
    }

    /// <summary>IDX bytes: magic, big-endian dims, data.</summary>
    public static byte[] Idx(int magic, int[] dims, byte[] data)
    {
        var b = new byte[4 + 4 * dims.Length + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(b, magic);
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4 + 4 * i), dims[i]);
        data.CopyTo(b, 4 + 4 * dims.Length);
        return b;
    }

    public static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(data);
        return ms.ToArray();
    }

    /// <summary>Writes a valid IDX pair of <paramref name="n"/> r x c images (pixel = (i*7 + j) % 256) with labels i % classes.</summary>
    public static (string Images, string Labels) WriteIdxPair(string folder, string prefix, int n, int r, int c, int classes = 10, bool gzip = false)
    {
        var px = new byte[n * r * c];
        for (int i = 0; i < n; i++) for (int j = 0; j < r * c; j++) px[i * r * c + j] = (byte)((i * 7 + j) % 256);
        var lb = Enumerable.Range(0, n).Select(i => (byte)(i % classes)).ToArray();
        string ip = Path.Combine(folder, $"{prefix}-images-idx3-ubyte" + (gzip ? ".gz" : ""));
        string lp = Path.Combine(folder, $"{prefix}-labels-idx1-ubyte" + (gzip ? ".gz" : ""));
        byte[] ib = Idx(IdxReader.ImagesMagic, [n, r, c], px), lbb = Idx(IdxReader.LabelsMagic, [n], lb);
        File.WriteAllBytes(ip, gzip ? Gzip(ib) : ib);
        File.WriteAllBytes(lp, gzip ? Gzip(lbb) : lbb);
        return (ip, lp);
    }

    /// <summary>CIFAR records: label (from <paramref name="labels"/>), then R, G, B planes with pixel = (record*31 + offset) % 256.</summary>
    public static byte[] Cifar(params byte[] labels)
    {
        var b = new byte[labels.Length * CifarReader.RecordBytes];
        for (int r = 0; r < labels.Length; r++)
        {
            b[r * CifarReader.RecordBytes] = labels[r];
            for (int j = 0; j < CifarReader.ImageBytes; j++) b[r * CifarReader.RecordBytes + 1 + j] = (byte)((r * 31 + j) % 256);
        }
        return b;
    }

    /// <summary>A dataset of n images [channels, h, w] whose every pixel of image i is i % 256 / 255, labels i % classes.</summary>
    public static InMemoryImageDataset Synthetic(int n, int classes = 3, int channels = 1, int h = 2, int w = 2)
    {
        int size = channels * h * w;
        var px = new byte[n * size];
        for (int i = 0; i < n; i++) px.AsSpan(i * size, size).Fill((byte)(i % 256));
        return new InMemoryImageDataset(px, Enumerable.Range(0, n).Select(i => i % classes).ToArray(), channels, h, w,
            Enumerable.Range(0, classes).Select(c => "c" + c).ToArray());
    }
}

/// <summary>A fact that runs only when Debian's dataset-fashion-mnist is installed (CI installs it).</summary>
public sealed class FashionMnistFactAttribute : FactAttribute
{
    public FashionMnistFactAttribute()
    {
        if (!IdxDataset.FolderHasIdxPairs(DataFiles.DebianFashionMnist))
            Skip = $"{DataFiles.DebianFashionMnist} is absent: install Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist; .ci/run does).";
    }
}
