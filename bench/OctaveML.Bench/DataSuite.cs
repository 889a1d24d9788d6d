using OctaveML.Data;
using OctaveML.Data.Augmentations;
using OctaveML.Imaging;
using OctaveML.Tensors;

namespace OctaveML.Bench;

/// <summary>
/// The <c>data</c> suite: how fast datasets load and batches come out, against PyTorch / torchvision
/// doing the same work in the same run (data_peer.py). Needs Debian's dataset-fashion-mnist.
/// Usage: <c>dotnet run -c Release --project bench/OctaveML.Bench -- data</c>.
/// </summary>
public static class DataSuite
{
    private const string Fashion = "/usr/share/datasets/fashion-mnist";

    public static void Run(string[] args)
    {
        if (!IdxDataset.FolderHasIdxPairs(Fashion))
        {
            Console.Error.WriteLine($"data suite: {Fashion} is absent (apt-get install dataset-fashion-mnist)");
            return;
        }
        InMemoryImageDataset train = null!;
        double load = Figure.MedianSeconds(() => train = IdxDataset.LoadFolder(Fashion, train: true), reps: 3, warmup: 1);
        Figure.Print("data.idx_load_fashion_train_s", load);

        double Epoch(DataLoaderOptions o)
        {
            using var loader = new DataLoader(train, o);
            int e = 0;
            return Figure.MedianSeconds(() => { foreach (var b in loader.GetEpoch(e++)) { } }, reps: 3, warmup: 1);
        }
        var plain = new DataLoaderOptions { BatchSize = 64, Seed = 1 };
        double epoch = Epoch(plain);
        Figure.Print("data.loader_images_per_s", train.Count / epoch);
        var (mean, std) = ChannelStatistics.Compute(train);
        double aug = Epoch(plain with { Transform = new Compose(new RandomCrop(4, 1), new RandomHorizontalFlip(0.5, 1), new Normalize(mean, std)) });
        Figure.Print("data.loader_augmented_images_per_s", train.Count / aug);

        // Image folder: 256x256 PNG photos-like noise, decoded and resized to 224 (IsoCrop), 2 workers.
        string root = Path.Combine(Path.GetTempPath(), "octaveml-bench-folder");
        MakeFolder(root, 120);
        try
        {
            var folder = ImageFolderDataset.FromFolder(root, new ImageFolderOptions { ValidateOnLoad = false });
            double decode;
            using (var loader = new DataLoader(folder, new DataLoaderOptions { BatchSize = 32, Workers = 2, Seed = 1 }))
            {
                int e = 0;
                decode = Figure.MedianSeconds(() => { foreach (var b in loader.GetEpoch(e++)) { } }, reps: 3, warmup: 1);
            }
            Figure.Print("data.imagefolder_png256_to224_images_per_s", folder.Count / decode);

            string peer = PythonPeer.RunScript("data_peer.py", Fashion, root);
            Console.Write(peer);
            double peerLoad = Figure.Value(peer, "idx_load_s");
            double peerLoader = Figure.Value(peer, "loader_images_per_s");
            double peerAug = Figure.Value(peer, "loader_augmented_images_per_s");
            double peerFolder = Figure.Value(peer, "imagefolder_images_per_s");
            Figure.Print("data.idx_load_speedup_vs_torch", peerLoad / load);
            Figure.Print("data.loader_speedup_vs_torch", train.Count / epoch / peerLoader);
            Figure.Print("data.loader_augmented_speedup_vs_torchvision", train.Count / aug / peerAug);
            Figure.Print("data.imagefolder_speedup_vs_torchvision", folder.Count / decode / peerFolder);
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    private static void MakeFolder(string root, int count)
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        var rng = new Rng(5);
        for (int i = 0; i < count; i++)
        {
            string dir = Path.Combine(root, $"class{i % 4}");
            Directory.CreateDirectory(dir);
            // Smooth gradients plus a little noise: compresses like a photo rather than like static.
            var px = new byte[256 * 256 * 3];
            for (int y = 0; y < 256; y++)
                for (int x = 0; x < 256; x++)
                    for (int c = 0; c < 3; c++)
                        px[(y * 256 + x) * 3 + c] = (byte)Math.Clamp((x * (c + 1) + y * (3 - c)) / 4 + i + rng.NextInt(8), 0, 255);
            PngEncoder.Save(new Image(256, 256, 3, px), Path.Combine(dir, $"{i:D4}.png"));
        }
    }
}
