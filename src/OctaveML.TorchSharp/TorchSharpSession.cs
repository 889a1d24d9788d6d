using TorchSharp;
using OctaveML.Models;
using OctaveML.Nn;
using OctaveML.Training;
using OctaveML.TorchSharp.Native;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;
using OctaveTensor = OctaveML.Tensors.Tensor;

namespace OctaveML.TorchSharp;

/// <summary>
/// A <see cref="TorchSharpBackend"/> session: the spec's TorchSharp module on a device, started from the
/// engine's initial weights for the seed, trained with autograd and a torch optimizer set up as the engine's
/// (fine-tuning too: a backbone at a lower learning rate or frozen, batch norms in eval mode).
/// </summary>
internal sealed class TorchSharpSession : ITrainingSession
{
    private readonly nn.Module<Tensor, Tensor> _module;
    private readonly TorchOptimizer _optimizer;
    private readonly Device _device;
    private readonly int? _threads;
    private readonly double _labelSmoothing;
    private readonly global::TorchSharp.Modules.BatchNorm2d[] _frozenBatchNorms;

    public TorchSharpSession(ModelSpec spec, TrainerOptions options, int seed, Device device, int? threads)
    {
        options.Validate();
        Spec = spec;
        _device = device;
        _threads = threads;
        _labelSmoothing = options.LabelSmoothing;
        UseThreads();
        _module = OctaveModels.Create(spec);
        foreach (var (_, m) in _module.named_modules())
            if (m is global::TorchSharp.Modules.BatchNorm2d bn) bn.register_forward_pre_hook(RefuseOneValuePerChannel);
        // The engine's initial weights for this seed: the same start in every backend.
        Load(spec.CreateModel(seed).StateDict());
        _module.to(device);
        if (options.BackboneLearningRateFactor == 0) // a frozen backbone: autograd skips its gradients
            foreach (var (name, p) in _module.named_parameters())
                if (!TrainerOptions.IsHead(name)) p.requires_grad = false;
        _frozenBatchNorms = options.FreezeBatchNormStatistics
            ? _module.named_modules().Select(x => x.module).OfType<global::TorchSharp.Modules.BatchNorm2d>().ToArray() : [];
        _optimizer = new TorchOptimizer(_module.named_parameters(), options);
    }

    public ModelSpec Spec { get; }

    public int NumClasses => Spec.NumClasses;

    public string Backend => "torchsharp";

    public int Threads => _threads ?? get_num_threads();

    public string Description =>
        $"libtorch {__version__} on {_device}, {Threads} threads" +
        (LibTorchRuntime.CpuIsaLimit is { } isa ? $", oneDNN capped at {isa}" : "") +
        (LibTorchRuntime.OpenMpWaitPolicy is { } wait ? $", OpenMP wait {wait}" : "") +
        (LibTorchRuntime.AllocatorTuned ? ", glibc malloc tuned" : "");

    public BatchResult ForwardBackward(OctaveTensor images, int[] labels)
    {
        CheckImages(images);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Length != images.N)
            throw new ArgumentException($"labels has {labels.Length} elements; expected {images.N} (one per image).", nameof(labels));
        for (int n = 0; n < labels.Length; n++)
            if ((uint)labels[n] >= (uint)NumClasses)
                throw new ArgumentOutOfRangeException(nameof(labels), labels[n], $"labels[{n}] is {labels[n]}; expected a class index in [0, {NumClasses}).");
        UseThreads();
        using var scope = NewDisposeScope();
        _module.train();
        foreach (var bn in _frozenBatchNorms) bn.eval(); // running statistics: used, not updated
        _optimizer.ZeroGrad();
        var x = TensorConversion.ToTorch(images, _device);
        var y = TensorConversion.Labels(labels, _device);
        var logits = _module.call(x);
        CheckLogits(logits, labels.Length);
        var loss = F.cross_entropy(logits, y, label_smoothing: _labelSmoothing);
        loss.backward();
        int correct = (int)logits.argmax(1).eq(y).sum().item<long>();
        return new BatchResult(loss.item<float>(), correct);
    }

    public void Step(double learningRate, double? momentum = null)
    {
        UseThreads();
        _optimizer.Step(learningRate, momentum);
    }

    public OctaveTensor Predict(OctaveTensor images)
    {
        CheckImages(images);
        UseThreads();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        _module.eval();
        var logits = _module.call(TensorConversion.ToTorch(images, _device));
        CheckLogits(logits, images.N);
        return TensorConversion.ToOctave(logits);
    }

    public Dictionary<string, OctaveTensor> StateDict() =>
        _module.state_dict().ToDictionary(x => x.Key, x => TensorConversion.ToOctave(x.Value), StringComparer.Ordinal);

    public void LoadStateDict(IReadOnlyDictionary<string, OctaveTensor> state) => Load(state);

    public Dictionary<string, OctaveTensor> OptimizerStateDict() => _optimizer.StateDict();

    public void LoadOptimizerStateDict(IReadOnlyDictionary<string, OctaveTensor> state) => _optimizer.LoadStateDict(state);

    public Dictionary<string, OctaveTensor> Gradients() =>
        _module.named_parameters().ToDictionary(x => x.name,
            x => x.parameter.grad is { } g ? TensorConversion.ToOctave(g) : new OctaveTensor(Shape(x.parameter)), StringComparer.Ordinal);

    public void Dispose()
    {
        _optimizer.Dispose();
        _module.Dispose();
    }

    /// <summary>Copies every entry of <paramref name="state"/> into the module (strict: same names, same sizes).</summary>
    private void Load(IReadOnlyDictionary<string, OctaveTensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var own = _module.state_dict();
        var missing = own.Keys.Where(k => !state.ContainsKey(k)).ToList();
        var unexpected = state.Keys.Where(k => !own.ContainsKey(k)).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
            throw new ArgumentException(
                $"state dict does not match the module: missing [{string.Join(", ", missing.Take(10))}], unexpected [{string.Join(", ", unexpected.Take(10))}].", nameof(state));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (name, target) in own)
        {
            var src = state[name];
            if (src.Length != target.numel())
                throw new ArgumentException($"'{name}' has shape {src.ShapeString}, the module expects [{string.Join(", ", target.shape)}].", nameof(state));
            target.copy_(TensorConversion.ToTorch(src, target.device).reshape(target.shape));
        }
    }

    private void UseThreads()
    {
        if (_threads is { } t && get_num_threads() != t) set_num_threads(t);
    }

    private void CheckImages(OctaveTensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Rank != 4 || images.C != Spec.InChannels || images.N < 1 || images.H < 1 || images.W < 1)
            throw new ArgumentException($"images have shape {images.ShapeString}, expected [N, {Spec.InChannels}, H, W].", nameof(images));
    }

    private void CheckLogits(Tensor logits, int n)
    {
        if (logits.Dimensions != 2 || logits.shape[0] != n || logits.shape[1] != NumClasses)
            throw new InvalidOperationException($"{Spec.DisplayName} returned logits [{string.Join(", ", logits.shape)}]; expected [{n}, {NumClasses}].");
    }

    private static int[] Shape(Tensor t) => t.shape.Select(d => checked((int)d)).ToArray();

    /// <summary>
    /// PyTorch's Python batch_norm refuses a training batch with one value per channel (its variance is
    /// undefined); libtorch's C++ one would put NaN into the running variance instead.
    /// </summary>
    private static Tensor RefuseOneValuePerChannel(nn.Module<Tensor, Tensor> bn, Tensor input)
    {
        if (bn.training && input.numel() / input.shape[1] < 2)
            throw new BatchTooSmallException("[" + string.Join(", ", input.shape) + "]");
        return input;
    }
}
