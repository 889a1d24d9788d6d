using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace OctaveML.Blas;

/// <summary>
/// Products whose B rows come from a table of pointers (an "indirection buffer", as in XNNPACK): a
/// stride-1 convolution reads its K = channels x taps rows straight out of zero-padded input planes, each
/// row the plane shifted by its tap, instead of copying them into an im2col matrix. On 8-16-channel 14-28 px
/// maps the im2col matrix (9x the input, written and read back through L2) cost as much as the product
/// itself; the padded planes stay in L1. Single-threaded (callers spread images over threads); every
/// element is summed over k (or j) in order, so results do not depend on how callers split the work.
/// AVX2 + FMA only (<see cref="IsSupported"/>): 4 x 24 tiles like <see cref="GemmMicroKernel256x4"/>.
/// </summary>
internal static unsafe class GemmIndirect
{
    /// <summary>Whether this CPU runs these kernels.</summary>
    public static bool IsSupported => Avx2.IsSupported && Fma.IsSupported;

    /// <summary>Columns of a tile: <see cref="Multiply"/>'s n is a multiple of it.</summary>
    public const int NR = 24;

    private const int MR = 4;

    /// <summary>Depth of a k slice: 256 rows of 24 floats of B stay in L1 across the row panels.</summary>
    private const int KC = 256;

    /// <summary>
    /// C[m x n] = A[m x k] B + beta C (beta 0 overwrites), where row p of B is rows[p][0, n). A is row-major at
    /// stride <paramref name="lda"/>; n must be a multiple of <see cref="NR"/> and every B row readable for n floats.
    /// </summary>
    public static void Multiply(int m, int n, int k, float* a, int lda, float** rows, float beta, float* c, int ldc)
    {
        if (n % NR != 0) throw new ArgumentException($"n ({n}) must be a multiple of {NR}.", nameof(n));
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be at least 1.");
        if (m <= 0 || n <= 0) return;
        int panels = (m + MR - 1) / MR;
        float* ap = GemmWorkspace.Current.A((long)panels * MR * k);
        GemmPacking.PackA<GemmMicroKernel256x4>(a, lda, false, 0, m, 0, k, ap);
        int slices = Math.Max(1, (k + KC - 1) / KC), kcMax = (k + slices - 1) / slices;
        float* tile = stackalloc float[MR * NR];
        for (int jc = 0; jc < n; jc += NR)
            for (int pc = 0; pc < k; pc += kcMax)
            {
                int kc = Math.Min(kcMax, k - pc);
                bool first = pc == 0;
                float sliceBeta = first ? beta : 1f;
                for (int ir = 0; ir < m; ir += MR)
                {
                    int r = Math.Min(MR, m - ir);
                    float* apanel = ap + (nint)ir * k + (nint)pc * MR;
                    float* ct = c + (nint)ir * ldc + jc;
                    if (r == MR)
                    {
                        Tile(kc, apanel, rows + pc, jc, ct, ldc, sliceBeta);
                        continue;
                    }
                    Tile(kc, apanel, rows + pc, jc, tile, NR, 0f);
                    for (int i = 0; i < r; i++)
                    {
                        float* t = tile + i * NR, crow = ct + (nint)i * ldc;
                        if (sliceBeta == 0) for (int j = 0; j < NR; j++) crow[j] = t[j];
                        else for (int j = 0; j < NR; j++) crow[j] = t[j] + sliceBeta * crow[j];
                    }
                }
            }
    }

    /// <summary>One 4 x 24 tile: C = A panel x B strip + beta C (beta 0: C is not read).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Tile(int kc, float* a, float** rows, nint jc, float* c, nint ldc, float beta)
    {
        Vector256<float> c00 = default, c01 = default, c02 = default, c10 = default, c11 = default, c12 = default;
        Vector256<float> c20 = default, c21 = default, c22 = default, c30 = default, c31 = default, c32 = default;
        for (int p = 0; p < kc; p++)
        {
            float* b = rows[p] + jc;
            Vector256<float> b0 = Vector256.Load(b), b1 = Vector256.Load(b + 8), b2 = Vector256.Load(b + 16);
            Vector256<float> av = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(av, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(av, b1, c01);
            c02 = Vector256.FusedMultiplyAdd(av, b2, c02);
            av = Vector256.Create(a[1]);
            c10 = Vector256.FusedMultiplyAdd(av, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(av, b1, c11);
            c12 = Vector256.FusedMultiplyAdd(av, b2, c12);
            av = Vector256.Create(a[2]);
            c20 = Vector256.FusedMultiplyAdd(av, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(av, b1, c21);
            c22 = Vector256.FusedMultiplyAdd(av, b2, c22);
            av = Vector256.Create(a[3]);
            c30 = Vector256.FusedMultiplyAdd(av, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(av, b1, c31);
            c32 = Vector256.FusedMultiplyAdd(av, b2, c32);
            a += MR;
        }
        Store(c, c00, c01, c02, beta); c += ldc;
        Store(c, c10, c11, c12, beta); c += ldc;
        Store(c, c20, c21, c22, beta); c += ldc;
        Store(c, c30, c31, c32, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, Vector256<float> x0, Vector256<float> x1, Vector256<float> x2, float beta)
    {
        if (beta == 0)
        {
            Vector256.Store(x0, c);
            Vector256.Store(x1, c + 8);
            Vector256.Store(x2, c + 16);
            return;
        }
        var vb = Vector256.Create(beta);
        Vector256.Store(Vector256.FusedMultiplyAdd(vb, Vector256.Load(c), x0), c);
        Vector256.Store(Vector256.FusedMultiplyAdd(vb, Vector256.Load(c + 8), x1), c + 8);
        Vector256.Store(Vector256.FusedMultiplyAdd(vb, Vector256.Load(c + 16), x2), c + 16);
    }

    /// <summary>
    /// Weight-gradient dot products: w[i, r] = sum over j in [0, n) of a[i][j] rows[r][j], plus beta w[i, r]
    /// (beta 0 overwrites), for i &lt; m and r &lt; k; a's rows at stride <paramref name="lda"/>, w's at
    /// <paramref name="ldw"/>. n must be a multiple of 8. Each element is one vector chain over j in order
    /// and one fixed horizontal sum, whichever block computes it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Dots(int m, int k, int n, float* a, nint lda, float** rows, float beta, float* w, int ldw)
    {
        if (n % 8 != 0) throw new ArgumentException($"n ({n}) must be a multiple of 8.", nameof(n));
        int i = 0;
        for (; i + 4 <= m; i += 4)
        {
            int r = 0;
            for (; r + 3 <= k; r += 3) Dots4x3(n, a + i * lda, lda, rows + r, beta, w + (nint)i * ldw + r, ldw);
            for (; r < k; r++)
                for (int ii = i; ii < i + 4; ii++) Dot1(n, a + ii * lda, rows[r], beta, w + (nint)ii * ldw + r);
        }
        for (; i < m; i++)
            for (int r = 0; r < k; r++) Dot1(n, a + i * lda, rows[r], beta, w + (nint)i * ldw + r);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Dots4x3(int n, float* a, nint lda, float** rows, float beta, float* w, int ldw)
    {
        float* a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda;
        float* b0 = rows[0], b1 = rows[1], b2 = rows[2];
        Vector256<float> s00 = default, s01 = default, s02 = default, s10 = default, s11 = default, s12 = default;
        Vector256<float> s20 = default, s21 = default, s22 = default, s30 = default, s31 = default, s32 = default;
        for (int j = 0; j < n; j += 8)
        {
            Vector256<float> x0 = Vector256.Load(b0 + j), x1 = Vector256.Load(b1 + j), x2 = Vector256.Load(b2 + j);
            Vector256<float> v = Vector256.Load(a0 + j);
            s00 = Vector256.FusedMultiplyAdd(v, x0, s00); s01 = Vector256.FusedMultiplyAdd(v, x1, s01); s02 = Vector256.FusedMultiplyAdd(v, x2, s02);
            v = Vector256.Load(a1 + j);
            s10 = Vector256.FusedMultiplyAdd(v, x0, s10); s11 = Vector256.FusedMultiplyAdd(v, x1, s11); s12 = Vector256.FusedMultiplyAdd(v, x2, s12);
            v = Vector256.Load(a2 + j);
            s20 = Vector256.FusedMultiplyAdd(v, x0, s20); s21 = Vector256.FusedMultiplyAdd(v, x1, s21); s22 = Vector256.FusedMultiplyAdd(v, x2, s22);
            v = Vector256.Load(a3 + j);
            s30 = Vector256.FusedMultiplyAdd(v, x0, s30); s31 = Vector256.FusedMultiplyAdd(v, x1, s31); s32 = Vector256.FusedMultiplyAdd(v, x2, s32);
        }
        Put(w, s00, beta); Put(w + 1, s01, beta); Put(w + 2, s02, beta); w += ldw;
        Put(w, s10, beta); Put(w + 1, s11, beta); Put(w + 2, s12, beta); w += ldw;
        Put(w, s20, beta); Put(w + 1, s21, beta); Put(w + 2, s22, beta); w += ldw;
        Put(w, s30, beta); Put(w + 1, s31, beta); Put(w + 2, s32, beta);
    }

    private static void Dot1(int n, float* a, float* b, float beta, float* w)
    {
        Vector256<float> s = default;
        for (int j = 0; j < n; j += 8) s = Vector256.FusedMultiplyAdd(Vector256.Load(a + j), Vector256.Load(b + j), s);
        Put(w, s, beta);
    }

    /// <summary>w = the lanes' sum (pairwise, a fixed order) + beta w.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* w, Vector256<float> s, float beta)
    {
        Vector128<float> h = s.GetLower() + s.GetUpper();
        h += Vector128.Shuffle(h, Vector128.Create(2, 3, 0, 1));
        float sum = h.ToScalar() + h.GetElement(1);
        *w = beta == 0 ? sum : sum + beta * *w;
    }
}
