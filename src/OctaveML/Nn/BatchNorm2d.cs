using OctaveML.Ops;
using OctaveML.Tensors;

namespace OctaveML.Nn;

/// <summary>
/// Batch normalisation over the channels of an NCHW map, as torch.nn.BatchNorm2d: parameters
/// "weight" (1) and "bias" (0), buffers "running_mean" (0), "running_var" (1) and
/// "num_batches_tracked" (a scalar). Training mode normalises with the batch statistics and updates
/// the running ones (momentum, unbiased variance); eval mode uses the running statistics.
/// With <see cref="FusedRelu"/> it also applies ReLU in the same pass (the reference's Conv_BN_ACT
/// and stem; the state dict is unchanged).
/// </summary>
public sealed class BatchNorm2d : Layer, IRecomputableOp
{
    private float[] _saveMean = [], _saveInvStd = [];
    private bool _trainedForward;

    /// <summary>Creates the layer for <paramref name="numFeatures"/> channels.</summary>
    /// <param name="numFeatures">Channels C of the [N, C, H, W] input.</param>
    /// <param name="eps">Added to the variance (PyTorch's default 1e-5).</param>
    /// <param name="momentum">Weight of the new batch in the running statistics (PyTorch's default 0.1).</param>
    /// <param name="fusedRelu">Apply max(., 0) to the output (and mask the gradient) in the same pass.</param>
    public BatchNorm2d(int numFeatures, float eps = BatchNorm2dKernel.DefaultEps, float momentum = BatchNorm2dKernel.DefaultMomentum,
        bool fusedRelu = false)
    {
        if (numFeatures < 1) throw new ArgumentOutOfRangeException(nameof(numFeatures), numFeatures, "numFeatures must be at least 1.");
        if (!(eps > 0)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "eps must be positive.");
        if (!(momentum >= 0 && momentum <= 1)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be in [0, 1].");
        NumFeatures = numFeatures; Eps = eps; Momentum = momentum; FusedRelu = fusedRelu;
        var w = new Tensor(numFeatures);
        w.Fill(1f);
        Weight = RegisterParameter("weight", w);
        Bias = RegisterParameter("bias", new Tensor(numFeatures));
        RunningMean = RegisterBuffer("running_mean", new Tensor(numFeatures));
        var rv = new Tensor(numFeatures);
        rv.Fill(1f);
        RunningVar = RegisterBuffer("running_var", rv);
        NumBatchesTracked = RegisterBuffer("num_batches_tracked", new Tensor(Array.Empty<int>()));
    }

    /// <summary>Channels.</summary>
    public int NumFeatures { get; }
    /// <summary>Added to the variance.</summary>
    public float Eps { get; }
    /// <summary>Weight of each new batch in the running statistics.</summary>
    public float Momentum { get; }
    /// <summary>True when a ReLU follows in the same pass.</summary>
    public bool FusedRelu { get; }
    /// <summary>The scale gamma [C].</summary>
    public Parameter Weight { get; }
    /// <summary>The shift beta [C].</summary>
    public Parameter Bias { get; }
    /// <summary>Running mean [C] (buffer).</summary>
    public Tensor RunningMean { get; }
    /// <summary>Running (unbiased) variance [C] (buffer).</summary>
    public Tensor RunningVar { get; }
    /// <summary>Training forwards seen, a 0-d tensor (PyTorch stores it as int64; exact here up to 2^24).</summary>
    public Tensor NumBatchesTracked { get; }

    /// <summary>
    /// Normalises x [N, C, H, W]. In training mode uses the batch statistics and updates the running
    /// ones and <see cref="NumBatchesTracked"/>; in eval mode uses the running statistics.
    /// </summary>
    public override Value Forward(Graph graph, Value input)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (input.Rank != 4 || input.C != NumFeatures || input.N < 1 || input.H < 1 || input.W < 1)
            throw new ArgumentException($"input has shape {input.ShapeString}, expected [N, {NumFeatures}, H, W] (N, H, W >= 1).", nameof(input));
        return graph.Add(this, input, input.ShapeArray());
    }

    // Backward reads x only (the ReLU mask is the sign of the forward's formula on x); y may be written over
    // x, and rebuilt from x and the saved statistics for a later layer's backward.
    bool IOp.SavesInput(int input) => true;
    bool IOp.SavesOutput(int output) => false;
    int IOp.InPlaceInput(int output) => 0;
    bool IRecomputableOp.CanRecompute(int output) => true;

    void IOp.Forward(ReadOnlySpan<Tensor?> inputs, ReadOnlySpan<Tensor?> outputs)
    {
        var (x, y) = (inputs[0]!, outputs[0]!);
        int n = x.N, c = NumFeatures, hw = x.H * x.W;
        if (Training)
        {
            if ((long)n * hw < 2) throw new BatchTooSmallException(x.ShapeString);
            if (_saveMean.Length != c) { _saveMean = new float[c]; _saveInvStd = new float[c]; }
            BatchNorm2dKernel.ForwardTraining(n, c, hw, x.Span, Weight.Value.Data, Bias.Value.Data, y.Span,
                _saveMean, _saveInvStd, RunningMean.Data, RunningVar.Data, Momentum, Eps, FusedRelu);
            NumBatchesTracked.Data[0] += 1;
        }
        else
        {
            BatchNorm2dKernel.ForwardInference(n, c, hw, x.Span, Weight.Value.Data, Bias.Value.Data,
                RunningMean.Data, RunningVar.Data, y.Span, Eps, FusedRelu);
        }
        _trainedForward = Training;
    }

    void IRecomputableOp.Recompute(ReadOnlySpan<Tensor?> inputs, ReadOnlySpan<Tensor?> outputs)
    {
        var (x, into) = (inputs[0]!, outputs[0]!);
        int n = x.N, c = NumFeatures, hw = x.H * x.W;
        if (_trainedForward)
            BatchNorm2dKernel.Normalize(n, c, hw, x.Span, Weight.Value.Data, Bias.Value.Data, _saveMean, _saveInvStd, into.Span, FusedRelu);
        else
            BatchNorm2dKernel.ForwardInference(n, c, hw, x.Span, Weight.Value.Data, Bias.Value.Data,
                RunningMean.Data, RunningVar.Data, into.Span, Eps, FusedRelu);
    }

    /// <summary>
    /// dL/dx for the last forward (through the batch statistics in training mode, as PyTorch does);
    /// adds dL/dweight and dL/dbias into the parameters' gradients.
    /// </summary>
    void IOp.Backward(ReadOnlySpan<Tensor?> inputs, ReadOnlySpan<Tensor?> outputs, ReadOnlySpan<Tensor?> gradOutputs, ReadOnlySpan<Tensor?> gradInputs)
    {
        var x = inputs[0]!;
        int n = x.N, c = NumFeatures, hw = x.H * x.W;
        var dy = gradOutputs[0]!.Span;
        var dx = gradInputs[0]!.Span;
        ReadOnlySpan<float> relu = FusedRelu ? Bias.Value.Data : default;
        if (_trainedForward)
            BatchNorm2dKernel.Backward(n, c, hw, x.Span, dy, Weight.Value.Data, _saveMean, _saveInvStd,
                dx, Weight.Grad.Data, Bias.Grad.Data, relu);
        else
            BatchNorm2dKernel.BackwardInference(n, c, hw, x.Span, dy, Weight.Value.Data, RunningMean.Data, RunningVar.Data,
                dx, Weight.Grad.Data, Bias.Grad.Data, Eps, relu);
    }
}
