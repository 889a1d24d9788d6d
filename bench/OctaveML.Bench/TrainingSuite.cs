using OctaveML.Nn;
using OctaveML.Tensors;
using OctaveML.Threading;
using OctaveML.Training;

namespace OctaveML.Bench;

/// <summary>
/// The "training" suite: optimizer steps against torch.optim on the same thread count, and the cost
/// of an atomic checkpoint, at OctResNet-50 scale (25.56 M parameters).
/// Usage: OctaveML.Bench training [threads]
/// </summary>
public static class TrainingSuite
{
    private const int Tensors = 50, Size = 511_141; // 25.56 M floats, about OctResNet-50's parameter count

    public static void Run(string[] args)
    {
        int threads = args.Length > 0 ? int.Parse(args[0]) : Parallelism.Threads;
        Parallelism.Threads = threads;
        var rng = new Rng(0);
        var ps = Enumerable.Range(0, Tensors).Select(i =>
        {
            var p = new Parameter(new Tensor(Size));
            rng.FillNormal(p.Value.Data, 0, 1);
            rng.FillNormal(p.Grad.Data, 0, 1e-3f);
            return ($"p{i}", p);
        }).ToList();

        var adamw = new AdamW(ps, 1e-3, weightDecay: 0.01);
        double adamS = Figure.MedianSeconds(adamw.Step, reps: 7);
        var sgd = new Sgd(ps, 0.1, momentum: 0.9, weightDecay: 5e-4, nesterov: true);
        double sgdS = Figure.MedianSeconds(sgd.Step, reps: 7);

        string peer = PythonPeer.RunScript("optim_peer.py", Tensors.ToString(), Size.ToString(), threads.ToString(), "7");
        double adamT = Figure.Value(peer, "adamw_s"), sgdT = Figure.Value(peer, "sgd_s");
        Figure.Print("optim_threads", threads);
        Figure.Print("optim_adamw_step_ms", adamS * 1e3);
        Figure.Print("optim_adamw_step_ms_torch", adamT * 1e3);
        Figure.Print("optim_adamw_speedup_vs_torch", adamT / adamS);
        Figure.Print("optim_sgd_nesterov_step_ms", sgdS * 1e3);
        Figure.Print("optim_sgd_nesterov_step_ms_torch", sgdT * 1e3);
        Figure.Print("optim_sgd_speedup_vs_torch", sgdT / sgdS);

        // A checkpoint with weights, AdamW moments and best weights: about 400 MB, written atomically.
        string dir = Path.Combine(Path.GetTempPath(), "octaveml-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            var model = ps.ToDictionary(x => x.Item1, x => x.Item2.Value);
            var ck = new Checkpoint { State = new TrainingState(), Model = model, Optimizer = adamw.StateDict(), BestModel = model };
            string path = Checkpoint.PathIn(dir);
            double saveS = Figure.MedianSeconds(() => ck.Save(path), reps: 3, warmup: 1);
            double loadS = Figure.MedianSeconds(() => Checkpoint.Load(path), reps: 3, warmup: 1);
            Figure.Print("checkpoint_mb", new FileInfo(path).Length / 1e6);
            Figure.Print("checkpoint_save_s", saveS);
            Figure.Print("checkpoint_load_s", loadS);
        }
        finally { try { Directory.Delete(dir, true); } catch (IOException) { } }
    }
}
