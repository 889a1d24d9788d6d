using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using OctaveML.Threading;

namespace OctaveML.Ops;

/// <summary>
/// Fused, vectorised parameter updates for the optimizers in <c>OctaveML.Training</c>: one pass
/// over parameter, gradient and state per step. Element-wise, so the parallel split cannot change
/// the result (bit-identical for any thread count).
/// </summary>
public static class OptimizerKernels
{
    // Below this many elements a tensor is updated on the calling thread.
    private const int ParallelThreshold = 1 << 16;

    /// <summary>
    /// One torch.optim.SGD step on one tensor: d = g + wd*p; with momentum, buf = d on the first
    /// step (<paramref name="firstStep"/>) else buf = momentum*buf + (1-dampening)*d, and d = buf, or
    /// d + momentum*buf with Nesterov; then p -= lr*d. Pass an empty <paramref name="momentumBuffer"/>
    /// when momentum is 0.
    /// </summary>
    public static void SgdStep(Span<float> param, ReadOnlySpan<float> grad, Span<float> momentumBuffer,
        float lr, float momentum, float dampening, float weightDecay, bool nesterov, bool firstStep)
    {
        if (grad.Length != param.Length)
            throw new ArgumentException($"grad has {grad.Length} elements, param has {param.Length}.", nameof(grad));
        if (momentum != 0 && momentumBuffer.Length != param.Length)
            throw new ArgumentException($"momentumBuffer has {momentumBuffer.Length} elements, param has {param.Length}.", nameof(momentumBuffer));
        var args = new SgdArgs(lr, momentum, 1 - dampening, weightDecay, nesterov, firstStep);
        unsafe
        {
            fixed (float* p = param) fixed (float* g = grad) fixed (float* b = momentumBuffer)
            {
                nint pp = (nint)p, gp = (nint)g, bp = (nint)b;
                Run(param.Length, (s, e) => Sgd((float*)pp, (float*)gp, (float*)bp, s, e, args));
            }
        }
    }

    /// <summary>
    /// One torch.optim.AdamW step (1.13, amsgrad off) on one tensor: p *= 1 - lr*wd;
    /// m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g²; p -= stepSize * m / (sqrt(v)/sqrt(bc2) + eps), with
    /// stepSize = lr / bc1. <paramref name="biasCorrection1"/> = 1 - b1^step, <paramref name="biasCorrection2"/> = 1 - b2^step.
    /// </summary>
    public static void AdamWStep(Span<float> param, ReadOnlySpan<float> grad, Span<float> expAvg, Span<float> expAvgSq,
        double lr, double beta1, double beta2, double eps, double weightDecay, double biasCorrection1, double biasCorrection2)
    {
        if (grad.Length != param.Length || expAvg.Length != param.Length || expAvgSq.Length != param.Length)
            throw new ArgumentException($"grad ({grad.Length}), expAvg ({expAvg.Length}) and expAvgSq ({expAvgSq.Length}) must have param's {param.Length} elements.", nameof(grad));
        // Scalars are formed in double, as PyTorch forms them in Python, then applied in float32.
        var args = new AdamArgs(
            Decay: (float)(1 - lr * weightDecay),
            Beta1: (float)beta1, OneMinusBeta1: (float)(1 - beta1),
            Beta2: (float)beta2, OneMinusBeta2: (float)(1 - beta2),
            Bc2Sqrt: (float)Math.Sqrt(biasCorrection2),
            Eps: (float)eps, NegStepSize: (float)(-lr / biasCorrection1));
        unsafe
        {
            fixed (float* p = param) fixed (float* g = grad) fixed (float* m = expAvg) fixed (float* v = expAvgSq)
            {
                nint pp = (nint)p, gp = (nint)g, mp = (nint)m, vp = (nint)v;
                Run(param.Length, (s, e) => Adam((float*)pp, (float*)gp, (float*)mp, (float*)vp, s, e, args));
            }
        }
    }

    private readonly record struct SgdArgs(float Lr, float Momentum, float OneMinusDampening, float WeightDecay, bool Nesterov, bool FirstStep);

    private readonly record struct AdamArgs(float Decay, float Beta1, float OneMinusBeta1, float Beta2, float OneMinusBeta2,
        float Bc2Sqrt, float Eps, float NegStepSize);

    private static void Run(int n, Action<int, int> body)
    {
        if (n < ParallelThreshold || Parallelism.Threads == 1) { body(0, n); return; }
        int chunks = Math.Min(Parallelism.Threads * 4, n / (ParallelThreshold / 4));
        Parallelism.ForChunks(n, chunks, (_, s, e) => body(s, e));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Sgd(float* p, float* g, float* b, int start, int end, SgdArgs a)
    {
        int i = start;
        bool hasMomentum = a.Momentum != 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var lr = Vector512.Create(a.Lr); var mom = Vector512.Create(a.Momentum);
            var damp = Vector512.Create(a.OneMinusDampening); var wd = Vector512.Create(a.WeightDecay);
            for (; i <= end - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var pv = Vector512.Load(p + i);
                var d = Vector512.FusedMultiplyAdd(wd, pv, Vector512.Load(g + i));
                if (hasMomentum)
                {
                    var buf = a.FirstStep ? d : Vector512.FusedMultiplyAdd(damp, d, mom * Vector512.Load(b + i));
                    buf.Store(b + i);
                    d = a.Nesterov ? Vector512.FusedMultiplyAdd(mom, buf, d) : buf;
                }
                Vector512.FusedMultiplyAdd(-lr, d, pv).Store(p + i);
            }
        }
        else
        {
            var lr = new Vector<float>(a.Lr); var mom = new Vector<float>(a.Momentum);
            var damp = new Vector<float>(a.OneMinusDampening); var wd = new Vector<float>(a.WeightDecay);
            for (; i <= end - Vector<float>.Count; i += Vector<float>.Count)
            {
                var pv = Vector.Load(p + i);
                var d = Vector.FusedMultiplyAdd(wd, pv, Vector.Load(g + i));
                if (hasMomentum)
                {
                    var buf = a.FirstStep ? d : Vector.FusedMultiplyAdd(damp, d, mom * Vector.Load(b + i));
                    buf.Store(b + i);
                    d = a.Nesterov ? Vector.FusedMultiplyAdd(mom, buf, d) : buf;
                }
                Vector.FusedMultiplyAdd(-lr, d, pv).Store(p + i);
            }
        }
        for (; i < end; i++)
        {
            float d = MathF.FusedMultiplyAdd(a.WeightDecay, p[i], g[i]);
            if (hasMomentum)
            {
                float buf = a.FirstStep ? d : MathF.FusedMultiplyAdd(a.OneMinusDampening, d, a.Momentum * b[i]);
                b[i] = buf;
                d = a.Nesterov ? MathF.FusedMultiplyAdd(a.Momentum, buf, d) : buf;
            }
            p[i] = MathF.FusedMultiplyAdd(-a.Lr, d, p[i]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Adam(float* p, float* g, float* m, float* v, int start, int end, AdamArgs a)
    {
        int i = start;
        if (Vector512.IsHardwareAccelerated)
        {
            var decay = Vector512.Create(a.Decay); var b1 = Vector512.Create(a.Beta1); var c1 = Vector512.Create(a.OneMinusBeta1);
            var b2 = Vector512.Create(a.Beta2); var c2 = Vector512.Create(a.OneMinusBeta2);
            var bc2 = Vector512.Create(a.Bc2Sqrt); var eps = Vector512.Create(a.Eps); var step = Vector512.Create(a.NegStepSize);
            for (; i <= end - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var gv = Vector512.Load(g + i);
                var pv = Vector512.Load(p + i) * decay;
                var mv = Vector512.FusedMultiplyAdd(c1, gv, Vector512.Load(m + i) * b1);
                var vv = Vector512.FusedMultiplyAdd(c2 * gv, gv, Vector512.Load(v + i) * b2);
                mv.Store(m + i); vv.Store(v + i);
                var denom = Vector512.Sqrt(vv) / bc2 + eps;
                Vector512.FusedMultiplyAdd(step, mv / denom, pv).Store(p + i);
            }
        }
        else
        {
            var decay = new Vector<float>(a.Decay); var b1 = new Vector<float>(a.Beta1); var c1 = new Vector<float>(a.OneMinusBeta1);
            var b2 = new Vector<float>(a.Beta2); var c2 = new Vector<float>(a.OneMinusBeta2);
            var bc2 = new Vector<float>(a.Bc2Sqrt); var eps = new Vector<float>(a.Eps); var step = new Vector<float>(a.NegStepSize);
            for (; i <= end - Vector<float>.Count; i += Vector<float>.Count)
            {
                var gv = Vector.Load(g + i);
                var pv = Vector.Load(p + i) * decay;
                var mv = Vector.FusedMultiplyAdd(c1, gv, Vector.Load(m + i) * b1);
                var vv = Vector.FusedMultiplyAdd(c2 * gv, gv, Vector.Load(v + i) * b2);
                mv.Store(m + i); vv.Store(v + i);
                var denom = Vector.SquareRoot(vv) / bc2 + eps;
                Vector.FusedMultiplyAdd(step, mv / denom, pv).Store(p + i);
            }
        }
        for (; i < end; i++)
        {
            float gv = g[i];
            float pv = p[i] * a.Decay;
            float mv = MathF.FusedMultiplyAdd(a.OneMinusBeta1, gv, m[i] * a.Beta1);
            float vv = MathF.FusedMultiplyAdd(a.OneMinusBeta2 * gv, gv, v[i] * a.Beta2);
            m[i] = mv; v[i] = vv;
            float denom = MathF.Sqrt(vv) / a.Bc2Sqrt + a.Eps;
            p[i] = MathF.FusedMultiplyAdd(a.NegStepSize, mv / denom, pv);
        }
    }
}
