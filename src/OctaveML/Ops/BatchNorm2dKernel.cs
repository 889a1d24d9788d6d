using System.Runtime.CompilerServices;
using OctaveML.Threading;

namespace OctaveML.Ops;

/// <summary>
/// Batch normalisation over NCHW float32 maps, per channel, as torch.nn.BatchNorm2d:
/// y = (x - mean) / sqrt(var + eps) * weight + bias, with an optional fused ReLU. Training uses the
/// batch statistics (biased variance) and updates the running ones with the unbiased variance;
/// eval uses the running statistics.
/// </summary>
/// <remarks>
/// Work is split over channels: each channel is reduced and normalised by one thread in a fixed
/// order, so results do not depend on the thread count. Statistics are two-pass (mean, then the
/// sum of squared deviations), each plane summed in float vectors and the planes added in double,
/// which matches PyTorch to well under 1e-5 relative even for large maps with a large mean.
/// </remarks>
public static unsafe class BatchNorm2dKernel
{
    /// <summary>PyTorch's default epsilon.</summary>
    public const float DefaultEps = 1e-5f;

    /// <summary>PyTorch's default momentum for the running statistics.</summary>
    public const float DefaultMomentum = 0.1f;

    /// <summary>
    /// Training-mode forward. x and y are [batch, channels, spatial] (spatial = H*W; y may be x).
    /// Writes the batch mean and 1/sqrt(biased var + eps) per channel into <paramref name="saveMean"/>
    /// and <paramref name="saveInvStd"/> for <see cref="Backward"/>. When <paramref name="runningMean"/>
    /// and <paramref name="runningVar"/> are not empty they are updated in place:
    /// r = (1 - momentum) * r + momentum * batch value, with the unbiased variance for r_var.
    /// With <paramref name="relu"/>, y = max(BN(x), 0).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ForwardTraining(int batch, int channels, int spatial,
        ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y,
        Span<float> saveMean, Span<float> saveInvStd,
        Span<float> runningMean, Span<float> runningVar,
        float momentum = DefaultMomentum, float eps = DefaultEps, bool relu = false)
    {
        CheckShapes(batch, channels, spatial, x.Length, y.Length, weight.Length, bias.Length);
        long count = (long)batch * spatial;
        if (count < 2)
            throw new ArgumentException($"batch * spatial is {count}; training-mode batch norm needs more than 1 value per channel.", nameof(batch));
        CheckChannels(saveMean.Length, channels, nameof(saveMean));
        CheckChannels(saveInvStd.Length, channels, nameof(saveInvStd));
        bool updateRunning = !runningMean.IsEmpty || !runningVar.IsEmpty;
        if (updateRunning)
        {
            CheckChannels(runningMean.Length, channels, nameof(runningMean));
            CheckChannels(runningVar.Length, channels, nameof(runningVar));
        }
        if (!(eps > 0)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "eps must be positive.");
        if (!(momentum >= 0 && momentum <= 1)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be in [0, 1].");

        fixed (float* px = x, pw = weight, pb = bias, py = y, pm = saveMean, ps = saveInvStd, prm = runningMean, prv = runningVar)
        {
            float* xp = px, wp = pw, bp = pb, yp = py, mp = pm, sp = ps, rmp = prm, rvp = prv;
            Parallelism.For(channels, c =>
            {
                double sum = 0;
                for (int n = 0; n < batch; n++)
                    sum += PlaneMath.Sum(xp + ((long)n * channels + c) * spatial, spatial);
                float mean = (float)(sum / count);
                double ss = 0;
                for (int n = 0; n < batch; n++)
                    ss += PlaneMath.SumSquaredDeviation(xp + ((long)n * channels + c) * spatial, spatial, mean);
                double var = ss / count;
                float invStd = (float)(1.0 / Math.Sqrt(var + eps));
                mp[c] = mean;
                sp[c] = invStd;
                if (updateRunning)
                {
                    double unbiased = ss / (count - 1);
                    rmp[c] = (float)((1 - momentum) * rmp[c] + momentum * (double)mean);
                    rvp[c] = (float)((1 - momentum) * rvp[c] + momentum * unbiased);
                }
                NormalizeChannel(xp, yp, batch, channels, spatial, c, wp[c], bp[c], mean, invStd, relu);
            }, MaxThreads(batch, channels, spatial));
        }
    }

    /// <summary>
    /// y = (x - mean) * invStd * weight + bias per channel (then max(., 0) with <paramref name="relu"/>), with the
    /// statistics a training forward saved: that forward's output again, bit for bit (the recomputation of a
    /// BN + ReLU output that backward needs, instead of keeping it). y may be x.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Normalize(int batch, int channels, int spatial, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> mean, ReadOnlySpan<float> invStd, Span<float> y, bool relu = false)
    {
        CheckShapes(batch, channels, spatial, x.Length, y.Length, weight.Length, bias.Length);
        CheckChannels(mean.Length, channels, nameof(mean));
        CheckChannels(invStd.Length, channels, nameof(invStd));
        fixed (float* px = x, pw = weight, pb = bias, py = y, pm = mean, ps = invStd)
        {
            float* xp = px, wp = pw, bp = pb, yp = py, mp = pm, sp = ps;
            Parallelism.For(channels, c => NormalizeChannel(xp, yp, batch, channels, spatial, c, wp[c], bp[c], mp[c], sp[c], relu),
                MaxThreads(batch, channels, spatial));
        }
    }

    /// <summary>Channel c of y = BN(x) given its statistics: the one formula of the training forward and its recomputation.</summary>
    private static void NormalizeChannel(float* x, float* y, int batch, int channels, int spatial, int c,
        float weight, float bias, float mean, float invStd, bool relu)
    {
        float scale = weight * invStd;
        float shift = bias - mean * scale;
        for (int n = 0; n < batch; n++)
        {
            long off = ((long)n * channels + c) * spatial;
            PlaneMath.ScaleShift(x + off, y + off, spatial, scale, shift, relu);
        }
    }

    /// <summary>
    /// Eval-mode forward with the running statistics: y = (x - running_mean) / sqrt(running_var + eps)
    /// * weight + bias, then max(., 0) with <paramref name="relu"/>. y may be x.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ForwardInference(int batch, int channels, int spatial,
        ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVar, Span<float> y,
        float eps = DefaultEps, bool relu = false)
    {
        CheckShapes(batch, channels, spatial, x.Length, y.Length, weight.Length, bias.Length);
        CheckChannels(runningMean.Length, channels, nameof(runningMean));
        CheckChannels(runningVar.Length, channels, nameof(runningVar));
        if (!(eps > 0)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "eps must be positive.");
        fixed (float* px = x, pw = weight, pb = bias, py = y, prm = runningMean, prv = runningVar)
        {
            float* xp = px, wp = pw, bp = pb, yp = py, rmp = prm, rvp = prv;
            Parallelism.For(channels, c =>
            {
                float invStd = (float)(1.0 / Math.Sqrt((double)rvp[c] + eps));
                float scale = wp[c] * invStd;
                float shift = bp[c] - rmp[c] * scale;
                for (int n = 0; n < batch; n++)
                {
                    long off = ((long)n * channels + c) * spatial;
                    PlaneMath.ScaleShift(xp + off, yp + off, spatial, scale, shift, relu);
                }
            }, MaxThreads(batch, channels, spatial));
        }
    }

    /// <summary>
    /// Training-mode backward. Given the forward input x, the output gradient dy and the saved batch
    /// statistics, writes dx (adds to it with <paramref name="accumulate"/>; dx may be dy) and adds
    /// sum(dy * x_hat) to <paramref name="dweight"/> and sum(dy) to <paramref name="dbias"/>.
    /// For the fused BN+ReLU pass give the BN bias as <paramref name="reluBias"/>: dy then counts only where
    /// the forward's output was positive, a sign recomputed from x with the forward's own arithmetic, so
    /// that output need not be kept.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(int batch, int channels, int spatial,
        ReadOnlySpan<float> x, ReadOnlySpan<float> dy, ReadOnlySpan<float> weight,
        ReadOnlySpan<float> saveMean, ReadOnlySpan<float> saveInvStd,
        Span<float> dx, Span<float> dweight, Span<float> dbias,
        ReadOnlySpan<float> reluBias = default, bool accumulate = false)
    {
        CheckShapes(batch, channels, spatial, x.Length, dx.Length, weight.Length, weight.Length, nameof(dx), "weight");
        CheckLength(dy.Length, x.Length, nameof(dy));
        CheckChannels(saveMean.Length, channels, nameof(saveMean));
        CheckChannels(saveInvStd.Length, channels, nameof(saveInvStd));
        CheckChannels(dweight.Length, channels, nameof(dweight));
        CheckChannels(dbias.Length, channels, nameof(dbias));
        bool relu = !reluBias.IsEmpty;
        if (relu) CheckChannels(reluBias.Length, channels, nameof(reluBias));
        long count = (long)batch * spatial;

        fixed (float* px = x, pdy = dy, pw = weight, pm = saveMean, ps = saveInvStd, pdx = dx, pdw = dweight, pdb = dbias, pr = reluBias)
        {
            float* xp = px, dyp = pdy, wp = pw, mp = pm, sp = ps, dxp = pdx, dwp = pdw, dbp = pdb, rp = pr;
            Parallelism.For(channels, c =>
            {
                float mean = mp[c], invStd = sp[c];
                // The forward's y = x * scale + shift (NormalizeChannel), whose sign is the ReLU mask.
                float scale = wp[c] * invStd;
                float shift = relu ? rp[c] - mean * scale : 0f;
                double sg = 0, sgx = 0;
                for (int n = 0; n < batch; n++)
                {
                    long off = ((long)n * channels + c) * spatial;
                    PlaneMath.SumGradAndGradDeviation(dyp + off, xp + off, spatial, mean, relu, scale, shift, out float g, out float gx);
                    sg += g;
                    sgx += gx;
                }
                dwp[c] += (float)(sgx * invStd);
                dbp[c] += (float)sg;
                // dx = w*s*(g - mean(g) - x_hat*mean(g*x_hat)) = a*g + b*x + c0, with s = invStd.
                double s = invStd, w = wp[c];
                double a = w * s;
                double b = -w * s * s * s * sgx / count;
                double c0 = -a * sg / count - b * mean;
                for (int n = 0; n < batch; n++)
                {
                    long off = ((long)n * channels + c) * spatial;
                    PlaneMath.AffineGrad(dyp + off, xp + off, dxp + off, spatial, (float)a, (float)b, (float)c0, relu, scale, shift, accumulate);
                }
            }, MaxThreads(batch, channels, spatial));
        }
    }

    /// <summary>
    /// Eval-mode backward (the running statistics are constants): dx = dy * weight / sqrt(running_var + eps)
    /// (added with <paramref name="accumulate"/>), dweight += sum(dy * x_hat), dbias += sum(dy); with the BN
    /// bias as <paramref name="reluBias"/> (the fused ReLU), dy counts only where the forward's output was positive.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardInference(int batch, int channels, int spatial,
        ReadOnlySpan<float> x, ReadOnlySpan<float> dy, ReadOnlySpan<float> weight,
        ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVar,
        Span<float> dx, Span<float> dweight, Span<float> dbias,
        float eps = DefaultEps, ReadOnlySpan<float> reluBias = default, bool accumulate = false)
    {
        CheckShapes(batch, channels, spatial, x.Length, dx.Length, weight.Length, weight.Length, nameof(dx), "weight");
        CheckLength(dy.Length, x.Length, nameof(dy));
        CheckChannels(runningMean.Length, channels, nameof(runningMean));
        CheckChannels(runningVar.Length, channels, nameof(runningVar));
        CheckChannels(dweight.Length, channels, nameof(dweight));
        CheckChannels(dbias.Length, channels, nameof(dbias));
        bool relu = !reluBias.IsEmpty;
        if (relu) CheckChannels(reluBias.Length, channels, nameof(reluBias));
        fixed (float* px = x, pdy = dy, pw = weight, pm = runningMean, pv = runningVar, pdx = dx, pdw = dweight, pdb = dbias, pr = reluBias)
        {
            float* xp = px, dyp = pdy, wp = pw, mp = pm, vp = pv, dxp = pdx, dwp = pdw, dbp = pdb, rp = pr;
            Parallelism.For(channels, c =>
            {
                float mean = mp[c];
                // The forward's scale and shift (ForwardInference), whose output's sign is the ReLU mask.
                float invStd = (float)(1.0 / Math.Sqrt((double)vp[c] + eps));
                float scale = wp[c] * invStd;
                float shift = relu ? rp[c] - mean * scale : 0f;
                double sg = 0, sgx = 0;
                for (int n = 0; n < batch; n++)
                {
                    long off = ((long)n * channels + c) * spatial;
                    PlaneMath.SumGradAndGradDeviation(dyp + off, xp + off, spatial, mean, relu, scale, shift, out float g, out float gx);
                    sg += g;
                    sgx += gx;
                    PlaneMath.AffineGrad(dyp + off, xp + off, dxp + off, spatial, scale, 0f, 0f, relu, scale, shift, accumulate);
                }
                dwp[c] += (float)(sgx * invStd);
                dbp[c] += (float)sg;
            }, MaxThreads(batch, channels, spatial));
        }
    }

    // Below ~64K elements the parallel loop costs more than it saves.
    private static int MaxThreads(int batch, int channels, int spatial) =>
        (long)batch * channels * spatial < 65536 ? 1 : 0;

    private static void CheckShapes(int batch, int channels, int spatial, int xLength, int yLength, int weightLength, int biasLength,
        string yName = "y", string biasName = "bias")
    {
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), batch, "batch must be at least 1.");
        if (channels < 1) throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be at least 1.");
        if (spatial < 1) throw new ArgumentOutOfRangeException(nameof(spatial), spatial, "spatial (H*W) must be at least 1.");
        long n = (long)batch * channels * spatial;
        CheckLength(xLength, n, "x");
        CheckLength(yLength, n, yName);
        CheckChannels(weightLength, channels, "weight");
        CheckChannels(biasLength, channels, biasName);
    }

    private static void CheckLength(int actual, long expected, string name)
    {
        if (actual != expected)
            throw new ArgumentException($"{name} has {actual} elements; expected {expected} (batch * channels * spatial).", name);
    }

    private static void CheckChannels(int actual, int channels, string name)
    {
        if (actual != channels)
            throw new ArgumentException($"{name} has {actual} elements; expected {channels} (one per channel).", name);
    }
}
