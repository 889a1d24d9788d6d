using OctaveML.Data;
using OctaveML.Data.Augmentations;

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

        string peer = PythonPeer.RunScript("data_peer.py", Fashion);
        Console.Write(peer);
        Figure.Print("data.idx_load_speedup_vs_torch", Figure.Value(peer, "idx_load_s") / load);
        Figure.Print("data.loader_speedup_vs_torch", train.Count / epoch / Figure.Value(peer, "loader_images_per_s"));
        Figure.Print("data.loader_augmented_speedup_vs_torchvision", train.Count / aug / Figure.Value(peer, "loader_augmented_images_per_s"));
    }
}
