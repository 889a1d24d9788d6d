using System.Runtime.CompilerServices;
using OctaveML.Threading;

namespace OctaveML.Ops;

/// <summary>
/// Max pooling over square windows in PyTorch's floor mode (dilation 1), as
/// torch.nn.MaxPool2d(kernel, stride, padding): out = floor((size + 2*padding - kernel) / stride) + 1.
/// Padding never wins (it counts as -infinity); a NaN in a window wins (the last one), and ties keep the
/// first element in row-major order, as in PyTorch. The ResNet stem uses kernel 3, stride 2, padding 1.
/// </summary>
public static unsafe class MaxPool2dKernel
{
    /// <summary>Output size of one dimension.</summary>
    public static int OutSize(int size, int kernel, int stride, int padding) =>
        (size + 2 * padding - kernel) / stride + 1;

    /// <summary>
    /// y[p, i, j] = max over the window; <paramref name="argmax"/> receives, for every output, the
    /// index (h * width + w) within its input plane of the winning element, for <see cref="Backward"/>.
    /// x is [planes, height, width]; y and argmax are [planes, outH, outW].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(int planes, int height, int width, int kernel, int stride, int padding,
        ReadOnlySpan<float> x, Span<float> y, Span<int> argmax)
    {
        Check(planes, height, width, kernel, stride, padding, x.Length, y.Length, nameof(x), nameof(y));
        int oh = OutSize(height, kernel, stride, padding), ow = OutSize(width, kernel, stride, padding);
        if (argmax.Length != y.Length)
            throw new ArgumentException($"argmax has {argmax.Length} elements; expected {y.Length} (one per output).", nameof(argmax));
        fixed (float* px = x, py = y)
        fixed (int* pa = argmax)
        {
            float* xp = px, yp = py;
            int* ap = pa;
            bool stem = kernel == 3 && stride == 2 && padding == 1 && ow <= 4096; // row buffers live on the stack
            Chunked.ForPlanes(planes, (long)oh * ow * kernel * kernel, (p0, p1) =>
            {
                for (int p = p0; p < p1; p++)
                {
                    float* xs = xp + (long)p * height * width;
                    float* ys = yp + (long)p * oh * ow;
                    int* am = ap + (long)p * oh * ow;
                    if (stem) Stem3x3(xs, height, width, ys, am, oh, ow);
                    else Generic(xs, height, width, kernel, stride, padding, ys, am, oh, ow);
                }
            });
        }
    }

    // Any window: scalar, with the comparison written so the JIT can use conditional moves
    // (random data makes "v > max" a coin flip for the branch predictor).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Generic(float* xs, int height, int width, int kernel, int stride, int padding,
        float* ys, int* am, int oh, int ow)
    {
        for (int i = 0; i < oh; i++)
        {
            int h0 = i * stride - padding;
            int hs = Math.Max(h0, 0), he = Math.Min(h0 + kernel, height);
            for (int j = 0; j < ow; j++)
            {
                int w0 = j * stride - padding;
                int ws = Math.Max(w0, 0), we = Math.Min(w0 + kernel, width);
                int best = hs * width + ws;
                float m = float.NegativeInfinity;
                for (int h = hs; h < he; h++)
                {
                    float* row = xs + (long)h * width;
                    for (int w = ws; w < we; w++)
                    {
                        float v = row[w];
                        bool take = v > m || float.IsNaN(v); // NaN wins, as in PyTorch
                        m = take ? v : m;
                        best = take ? h * width + w : best;
                    }
                }
                ys[i * ow + j] = m;
                am[i * ow + j] = best;
            }
        }
    }

    // 3x3, stride 2, padding 1. Splitting an input row into its odd columns (shifted right by one,
    // with -inf for the padding column) and its even columns makes the three columns of output j's
    // window odd[j], even[j], odd[j + 1]: contiguous in j, so whole vectors of outputs are compared
    // at once, in PyTorch's row-major window order (first maximum wins, NaN wins).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Stem3x3(float* xs, int height, int width, float* ys, int* am, int oh, int ow)
    {
        int vc = System.Numerics.Vector<float>.Count;
        int padded = ow + vc + 1;
        float* odd = stackalloc float[3 * padded];  // odd[k] = column 2k - 1 (k = 0: padding)
        float* even = stackalloc float[3 * padded]; // even[k] = column 2k
        Span<int> lanes = stackalloc int[vc];
        for (int k = 0; k < vc; k++) lanes[k] = k;
        var lane = new System.Numerics.Vector<int>(lanes);
        for (int i = 0; i < oh; i++)
        {
            int hs = Math.Max(2 * i - 1, 0), he = Math.Min(2 * i + 2, height);
            int rows = he - hs;
            for (int r = 0; r < rows; r++)
            {
                float* row = xs + (long)(hs + r) * width;
                float* o = odd + r * padded;
                float* e = even + r * padded;
                o[0] = float.NegativeInfinity;
                for (int k = 0; k < ow; k++)
                {
                    e[k] = row[2 * k];
                    o[k + 1] = 2 * k + 1 < width ? row[2 * k + 1] : float.NegativeInfinity;
                }
            }
            int j = 0;
            if (System.Numerics.Vector.IsHardwareAccelerated)
            {
                for (; j <= ow - vc; j += vc)
                {
                    var col = (lane + new System.Numerics.Vector<int>(j)) * 2; // column 2j of each lane
                    var m = new System.Numerics.Vector<float>(float.NegativeInfinity);
                    var best = System.Numerics.Vector.Max(col - System.Numerics.Vector<int>.One, System.Numerics.Vector<int>.Zero)
                        + new System.Numerics.Vector<int>(hs * width);
                    for (int r = 0; r < rows; r++)
                    {
                        var rowBase = new System.Numerics.Vector<int>((hs + r) * width) + col;
                        float* o = odd + r * padded + j;
                        float* e = even + r * padded + j;
                        Take(System.Numerics.Vector.Load(o), rowBase - System.Numerics.Vector<int>.One, ref m, ref best);
                        Take(System.Numerics.Vector.Load(e), rowBase, ref m, ref best);
                        Take(System.Numerics.Vector.Load(o + 1), rowBase + System.Numerics.Vector<int>.One, ref m, ref best);
                    }
                    System.Numerics.Vector.Store(m, ys + i * ow + j);
                    System.Numerics.Vector.Store(best, am + i * ow + j);
                }
            }
            for (; j < ow; j++)
            {
                float m = float.NegativeInfinity;
                int best = hs * width + Math.Max(2 * j - 1, 0);
                for (int r = 0; r < rows; r++)
                {
                    int rb = (hs + r) * width + 2 * j;
                    float* o = odd + r * padded + j;
                    float* e = even + r * padded + j;
                    float v = o[0]; bool t = v > m || float.IsNaN(v); m = t ? v : m; best = t ? rb - 1 : best;
                    v = e[0]; t = v > m || float.IsNaN(v); m = t ? v : m; best = t ? rb : best;
                    v = o[1]; t = v > m || float.IsNaN(v); m = t ? v : m; best = t ? rb + 1 : best;
                }
                ys[i * ow + j] = m;
                am[i * ow + j] = best;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Take(System.Numerics.Vector<float> v, System.Numerics.Vector<int> index,
        ref System.Numerics.Vector<float> m, ref System.Numerics.Vector<int> best)
    {
        var take = System.Numerics.Vector.GreaterThan(v, m) | ~System.Numerics.Vector.Equals(v, v);
        m = System.Numerics.Vector.ConditionalSelect(take, v, m);
        best = System.Numerics.Vector.ConditionalSelect(System.Numerics.Vector.AsVectorInt32(take), index, best);
    }

    /// <summary>
    /// dx[p, argmax] += dy for every output (dx is cleared first unless <paramref name="accumulate"/>).
    /// dy and argmax are [planes, outH, outW]; dx is [planes, height, width].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(int planes, int height, int width, int kernel, int stride, int padding,
        ReadOnlySpan<float> dy, ReadOnlySpan<int> argmax, Span<float> dx, bool accumulate = false)
    {
        Check(planes, height, width, kernel, stride, padding, dx.Length, dy.Length, nameof(dx), nameof(dy));
        if (argmax.Length != dy.Length)
            throw new ArgumentException($"argmax has {argmax.Length} elements; expected {dy.Length} (one per output).", nameof(argmax));
        int outPlane = OutSize(height, kernel, stride, padding) * OutSize(width, kernel, stride, padding);
        int plane = height * width;
        fixed (float* pdy = dy, pdx = dx)
        fixed (int* pa = argmax)
        {
            float* dyp = pdy, dxp = pdx;
            int* ap = pa;
            Chunked.ForPlanes(planes, plane, (p0, p1) =>
            {
                for (int p = p0; p < p1; p++)
                {
                    float* ds = dxp + (long)p * plane;
                    if (!accumulate) new Span<float>(ds, plane).Clear();
                    float* gs = dyp + (long)p * outPlane;
                    int* am = ap + (long)p * outPlane;
                    for (int o = 0; o < outPlane; o++)
                    {
                        int idx = am[o];
                        if ((uint)idx >= (uint)plane)
                            throw new ArgumentException($"argmax[{(long)p * outPlane + o}] is {idx}; expected an index in [0, {plane}).", nameof(argmax));
                        ds[idx] += gs[o];
                    }
                }
            });
        }
    }

    private static void Check(int planes, int height, int width, int kernel, int stride, int padding,
        int inLength, int outLength, string inName, string outName)
    {
        if (planes < 1) throw new ArgumentOutOfRangeException(nameof(planes), planes, "planes (N*C) must be at least 1.");
        if (kernel < 1) throw new ArgumentOutOfRangeException(nameof(kernel), kernel, "kernel must be at least 1.");
        if (stride < 1) throw new ArgumentOutOfRangeException(nameof(stride), stride, "stride must be at least 1.");
        if (padding < 0 || padding > kernel / 2)
            throw new ArgumentOutOfRangeException(nameof(padding), padding, $"padding must be in [0, {kernel / 2}] (at most half the kernel {kernel}).");
        if (height < 1) throw new ArgumentOutOfRangeException(nameof(height), height, "height must be at least 1.");
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, "width must be at least 1.");
        int oh = OutSize(height, kernel, stride, padding), ow = OutSize(width, kernel, stride, padding);
        if (oh < 1 || ow < 1)
            throw new ArgumentException($"input {height}x{width} is smaller than the kernel {kernel} with padding {padding}.", nameof(height));
        long n = (long)planes * height * width;
        if (inLength != n)
            throw new ArgumentException($"{inName} has {inLength} elements; expected {n} (planes {planes} x {height} x {width}).", inName);
        long m = (long)planes * oh * ow;
        if (outLength != m)
            throw new ArgumentException($"{outName} has {outLength} elements; expected {m} (planes {planes} x {oh} x {ow}).", outName);
    }
}
