using System.Numerics;
using System.Runtime.CompilerServices;

namespace OctaveML.Ops;

/// <summary>
/// Vectorised loops over one contiguous run of floats (an NCHW plane or a chunk of one), shared by
/// the batch-norm, activation and element-wise kernels. <see cref="Vector{T}"/> is the hardware
/// width (256 bits with AVX2, 128 with SSE/NEON, 512 when the runtime is told to prefer it); these
/// loops are memory-bound, so the width matters less than touching memory once.
/// </summary>
internal static unsafe class PlaneMath
{
    /// <summary>Sum of x[0..n), with one vector accumulator per lane group (fixed order: deterministic).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Sum(float* x, int n)
    {
        int i = 0;
        float s = 0;
        if (Vector.IsHardwareAccelerated && n >= 2 * Vector<float>.Count)
        {
            int vc = Vector<float>.Count;
            var a0 = Vector<float>.Zero; var a1 = Vector<float>.Zero;
            for (; i <= n - 2 * vc; i += 2 * vc)
            {
                a0 += Vector.Load(x + i);
                a1 += Vector.Load(x + i + vc);
            }
            for (; i <= n - vc; i += vc) a0 += Vector.Load(x + i);
            s = Vector.Sum(a0 + a1);
        }
        for (; i < n; i++) s += x[i];
        return s;
    }

    /// <summary>Sum of (x - mean)^2 over x[0..n): the second pass of an accurate variance.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float SumSquaredDeviation(float* x, int n, float mean)
    {
        int i = 0;
        float s = 0;
        if (Vector.IsHardwareAccelerated && n >= 2 * Vector<float>.Count)
        {
            int vc = Vector<float>.Count;
            var m = new Vector<float>(mean);
            var a0 = Vector<float>.Zero; var a1 = Vector<float>.Zero;
            for (; i <= n - 2 * vc; i += 2 * vc)
            {
                var d0 = Vector.Load(x + i) - m;
                var d1 = Vector.Load(x + i + vc) - m;
                a0 = Vector.FusedMultiplyAdd(d0, d0, a0);
                a1 = Vector.FusedMultiplyAdd(d1, d1, a1);
            }
            for (; i <= n - vc; i += vc)
            {
                var d0 = Vector.Load(x + i) - m;
                a0 = Vector.FusedMultiplyAdd(d0, d0, a0);
            }
            s = Vector.Sum(a0 + a1);
        }
        for (; i < n; i++) { float d = x[i] - mean; s += d * d; }
        return s;
    }

    /// <summary>y = x * scale + shift, then max(., 0) when <paramref name="relu"/>. y may be x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ScaleShift(float* x, float* y, int n, float scale, float shift, bool relu)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int vc = Vector<float>.Count;
            var s = new Vector<float>(scale);
            var b = new Vector<float>(shift);
            if (relu)
                for (; i <= n - vc; i += vc)
                    Vector.Store(Vector.Max(Vector.FusedMultiplyAdd(Vector.Load(x + i), s, b), Vector<float>.Zero), y + i);
            else
                for (; i <= n - vc; i += vc)
                    Vector.Store(Vector.FusedMultiplyAdd(Vector.Load(x + i), s, b), y + i);
        }
        if (relu) for (; i < n; i++) y[i] = MathF.Max(MathF.FusedMultiplyAdd(x[i], scale, shift), 0f);
        else for (; i < n; i++) y[i] = MathF.FusedMultiplyAdd(x[i], scale, shift);
    }

    /// <summary>
    /// Batch-norm backward reductions over one plane: sum(g) and sum(g * (x - mean)), where g = dy, or with
    /// <paramref name="relu"/> dy where the fused BN + ReLU forward's output was positive: where
    /// x * scale + shift &gt; 0, the forward's own fused multiply-add, so its output need not be kept.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SumGradAndGradDeviation(float* dy, float* x, int n, float mean, bool relu, float scale, float shift, out float sumG, out float sumGX)
    {
        int i = 0;
        float sg = 0, sgx = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            int vc = Vector<float>.Count;
            var m = new Vector<float>(mean);
            var ag = Vector<float>.Zero; var agx = Vector<float>.Zero;
            if (!relu)
                for (; i <= n - vc; i += vc)
                {
                    var g = Vector.Load(dy + i);
                    ag += g;
                    agx = Vector.FusedMultiplyAdd(g, Vector.Load(x + i) - m, agx);
                }
            else
            {
                var s = new Vector<float>(scale); var b = new Vector<float>(shift);
                for (; i <= n - vc; i += vc)
                {
                    var xv = Vector.Load(x + i);
                    var g = Vector.ConditionalSelect(Vector.GreaterThan(Vector.FusedMultiplyAdd(xv, s, b), Vector<float>.Zero), Vector.Load(dy + i), Vector<float>.Zero);
                    ag += g;
                    agx = Vector.FusedMultiplyAdd(g, xv - m, agx);
                }
            }
            sg = Vector.Sum(ag);
            sgx = Vector.Sum(agx);
        }
        for (; i < n; i++)
        {
            float g = !relu || MathF.FusedMultiplyAdd(x[i], scale, shift) > 0 ? dy[i] : 0f;
            sg += g;
            sgx += g * (x[i] - mean);
        }
        sumG = sg;
        sumGX = sgx;
    }

    /// <summary>
    /// dx = a * g + b * x + c (or dx += ...), with g = dy, or with <paramref name="relu"/> dy where
    /// x * scale + shift &gt; 0 (the fused ReLU's mask, as in <see cref="SumGradAndGradDeviation"/>). dx may be dy.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AffineGrad(float* dy, float* x, float* dx, int n, float a, float b, float c, bool relu, float scale, float shift, bool accumulate)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int vc = Vector<float>.Count;
            var va = new Vector<float>(a); var vb = new Vector<float>(b); var vcst = new Vector<float>(c);
            var vs = new Vector<float>(scale); var vsh = new Vector<float>(shift);
            for (; i <= n - vc; i += vc)
            {
                var g = Vector.Load(dy + i);
                var xv = Vector.Load(x + i);
                if (relu) g = Vector.ConditionalSelect(Vector.GreaterThan(Vector.FusedMultiplyAdd(xv, vs, vsh), Vector<float>.Zero), g, Vector<float>.Zero);
                var r = Vector.FusedMultiplyAdd(g, va, Vector.FusedMultiplyAdd(xv, vb, vcst));
                if (accumulate) r += Vector.Load(dx + i);
                Vector.Store(r, dx + i);
            }
        }
        for (; i < n; i++)
        {
            float g = !relu || MathF.FusedMultiplyAdd(x[i], scale, shift) > 0 ? dy[i] : 0f;
            float r = MathF.FusedMultiplyAdd(g, a, MathF.FusedMultiplyAdd(x[i], b, c));
            dx[i] = accumulate ? dx[i] + r : r;
        }
    }

    /// <summary>dx = (y &gt; 0 ? dy : 0), or dx += that. dx may be dy.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MaskPositive(float* y, float* dy, float* dx, int n, bool accumulate)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int vc = Vector<float>.Count;
            for (; i <= n - vc; i += vc)
            {
                var g = Vector.ConditionalSelect(Vector.GreaterThan(Vector.Load(y + i), Vector<float>.Zero), Vector.Load(dy + i), Vector<float>.Zero);
                if (accumulate) g += Vector.Load(dx + i);
                Vector.Store(g, dx + i);
            }
        }
        for (; i < n; i++)
        {
            float g = y[i] > 0 ? dy[i] : 0f;
            dx[i] = accumulate ? dx[i] + g : g;
        }
    }

    /// <summary>y = max(a + b, 0). y may be a or b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddRelu(float* a, float* b, float* y, int n)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int vc = Vector<float>.Count;
            for (; i <= n - vc; i += vc)
                Vector.Store(Vector.Max(Vector.Load(a + i) + Vector.Load(b + i), Vector<float>.Zero), y + i);
        }
        for (; i < n; i++) y[i] = MathF.Max(a[i] + b[i], 0f);
    }
}
