using OctaveML.Blas;

namespace OctaveML.Tests.Blas;

public class GemmTests
{
    private static readonly int[] Sizes = [1, 2, 7, 31, 33, 64, 65, 127, 300];

    /// <summary>Kernel families to check: the one this CPU uses at full size, the others (possibly
    /// emulated in software by the runtime) on fewer, smaller shapes so the suite stays fast.</summary>
    private static GemmKernel[] OtherKernels =>
        new[] { GemmKernel.Avx512, GemmKernel.Avx2, GemmKernel.Avx2x4, GemmKernel.Portable }.Where(x => x != Gemm.BestKernel).ToArray();

    public static IEnumerable<object[]> Shapes()
    {
        // Every size on every axis at least once against a few partners, plus the corner cases.
        var shapes = new HashSet<(int, int, int)>();
        foreach (int s in Sizes)
        {
            shapes.Add((s, s, s));
            shapes.Add((s, 65, 33));
            shapes.Add((33, s, 65));
            shapes.Add((65, 31, s));
        }
        shapes.Add((1, 1, 1));
        shapes.Add((1, 300, 127));
        shapes.Add((300, 1, 127));
        shapes.Add((7, 2, 300));
        shapes.Add((64, 784, 64));   // 1x1 convolution, small m and wide n
        shapes.Add((130, 70, 600));  // more than one k slice
        foreach (var (m, n, k) in shapes)
            for (int t = 0; t < 4; t++)
                yield return [m, n, k, (t & 1) != 0, (t & 2) != 0];
    }

    public static IEnumerable<object[]> SmallShapesOtherKernels()
    {
        (int, int, int)[] shapes = [(1, 1, 1), (7, 33, 31), (33, 7, 65), (65, 64, 2), (31, 65, 300), (64, 127, 33)];
        foreach (var kernel in OtherKernels)
            foreach (var (m, n, k) in shapes)
                for (int t = 0; t < 4; t++)
                    yield return [kernel.ToString(), m, n, k, (t & 1) != 0, (t & 2) != 0];
    }

    /// <summary>
    /// Small-m shapes for the 4 x 24 AVX2 kernel: every row remainder mod 4 and 6, column counts
    /// around multiples of 8, 16 and 24 (1- and 2-vector edge passes), depths of one and two k
    /// slices, and the convolution shapes (8/16/32 channels, 72..288 deep, 784/196/49 pixels).
    /// </summary>
    public static IEnumerable<object[]> SmallRowShapes()
    {
        (int, int, int)[] shapes =
        [
            (1, 24, 7), (2, 25, 72), (3, 47, 31), (4, 24, 1), (5, 17, 300), (6, 16, 33), (7, 49, 72),
            (8, 784, 72), (8, 72, 784), (9, 8, 65), (10, 9, 144), (12, 48, 20), (13, 23, 300),
            (16, 196, 144), (16, 144, 196), (31, 40, 9), (32, 49, 288), (32, 288, 49), (72, 196, 16), (64, 33, 64),
        ];
        foreach (var (m, n, k) in shapes)
            for (int t = 0; t < 4; t++)
                yield return [m, n, k, (t & 1) != 0, (t & 2) != 0];
    }

    [Theory]
    [MemberData(nameof(SmallRowShapes))]
    public void Avx2_4x24_kernel_matches_double_reference(int m, int n, int k, bool transA, bool transB)
    {
        if (!System.Runtime.Intrinsics.X86.Avx2.IsSupported || !System.Runtime.Intrinsics.X86.Fma.IsSupported) return;
        CheckAgainstReference(GemmKernel.Avx2x4, m, n, k, transA, transB, alpha: 0.75f, beta: -0.5f, pad: 3, seed: m * 31 + n * 7 + k);
        CheckAgainstReference(GemmKernel.Avx2x4, m, n, k, transA, transB, alpha: -1.5f, beta: 0f, pad: 0, seed: m + n + k);
    }

    [Theory]
    [MemberData(nameof(SmallRowShapes))]
    public void Avx2_kernels_4x24_and_6x16_agree_bit_for_bit(int m, int n, int k, bool transA, bool transB)
    {
        // Same KC and the same FMA chain per element: Auto may pick either without changing a result.
        if (!System.Runtime.Intrinsics.X86.Avx2.IsSupported || !System.Runtime.Intrinsics.X86.Fma.IsSupported) return;
        var rng = new Random(m * 131 + n * 17 + k);
        float[] a = Random(rng, m * k), b = Random(rng, k * n), c0 = Random(rng, m * n);
        int lda = transA ? m : k, ldb = transB ? k : n;
        foreach (var (alpha, beta) in new[] { (1f, 0f), (1.25f, 0.5f), (-0.75f, 1f) })
        {
            float[] c6 = (float[])c0.Clone(), c4 = (float[])c0.Clone();
            Gemm.SgemmOn(GemmKernel.Avx2, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c6, n);
            Gemm.SgemmOn(GemmKernel.Avx2x4, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c4, n);
            c4.Should().Equal(c6, $"alpha {alpha}, beta {beta}");
        }
    }

    /// <summary>The unpacked small-m paths this CPU can run (AVX-512 ones only where it has AVX-512).</summary>
    private static GemmKernel[] UnpackedPaths(bool rows)
    {
        var list = new List<GemmKernel>();
        if (System.Runtime.Intrinsics.X86.Avx512F.IsSupported) list.Add(rows ? GemmKernel.Avx512Rows : GemmKernel.Avx512Dot);
        if (System.Runtime.Intrinsics.X86.Avx2.IsSupported && System.Runtime.Intrinsics.X86.Fma.IsSupported) list.Add(rows ? GemmKernel.Avx2Rows : GemmKernel.Avx2Dot);
        return list.ToArray();
    }

    /// <summary>
    /// Shapes for the unpacked paths: every row remainder mod 4 and 8, column counts around
    /// multiples of 3, 4, 24 and 32 (ragged strips and blocks), depths around the vector widths
    /// and the k slices (one and several row panels), and the convolution shapes.
    /// </summary>
    public static IEnumerable<object[]> UnpackedShapes()
    {
        (int, int, int)[] shapes =
        [
            (1, 1, 1), (1, 32, 7), (2, 25, 72), (3, 47, 31), (4, 24, 1), (5, 17, 300), (7, 49, 15), (8, 784, 72),
            (8, 72, 784), (9, 8, 65), (10, 9, 144), (12, 48, 17), (13, 23, 300), (16, 196, 144), (16, 144, 196),
            (31, 40, 9), (32, 49, 288), (32, 288, 49), (33, 65, 600), (24, 100, 16), (32, 16, 576),
            (72, 784, 8), (147, 49, 16), (288, 16, 32),
        ];
        foreach (var (m, n, k) in shapes)
            for (int t = 0; t < 2; t++)
                yield return [m, n, k, t == 1];
    }

    [Theory]
    [MemberData(nameof(UnpackedShapes))]
    public void Unpacked_rows_path_matches_double_reference(int m, int n, int k, bool transA)
    {
        foreach (var kernel in UnpackedPaths(rows: true))
        {
            CheckAgainstReference(kernel, m, n, k, transA, false, alpha: 0.75f, beta: -0.5f, pad: 3, seed: m * 31 + n * 7 + k);
            CheckAgainstReference(kernel, m, n, k, transA, false, alpha: -1.5f, beta: 0f, pad: 0, seed: m + n + k);
        }
    }

    [Theory]
    [MemberData(nameof(UnpackedShapes))]
    public void Unpacked_dot_path_matches_double_reference(int m, int n, int k, bool wide)
    {
        // wide: padded leading dimensions and beta != 0; otherwise tight and beta = 0.
        foreach (var kernel in UnpackedPaths(rows: false))
            CheckAgainstReference(kernel, m, n, k, false, true, alpha: wide ? 0.75f : -1.5f, beta: wide ? -0.5f : 0f, pad: wide ? 5 : 0, seed: m * 31 + n * 7 + k);
    }

    [Fact]
    public void Unpacked_paths_reject_transposes_they_do_not_take()
    {
        float[] buf = new float[64];
        foreach (var kernel in UnpackedPaths(rows: true))
        {
            Action act = () => Gemm.SgemmOn(kernel, false, true, 4, 4, 4, 1f, buf, 4, buf, 4, 0f, buf, 4);
            act.Should().Throw<ArgumentException>();
        }
        foreach (var kernel in UnpackedPaths(rows: false))
        {
            Action act = () => Gemm.SgemmOn(kernel, true, true, 4, 4, 4, 1f, buf, 4, buf, 4, 0f, buf, 4);
            act.Should().Throw<ArgumentException>();
        }
    }

    [Theory]
    [InlineData(false, false, 8, 784, 72, "Rows", "Rows")]   // convolution forward, few output channels
    [InlineData(false, false, 32, 196, 288, "Rows", "Rows")]
    [InlineData(false, false, 8, 49, 72, "Rows", "Rows")]
    [InlineData(false, false, 16, 49, 144, "Rows", "")]      // AVX2: the 24-wide edge strip pads more than 6 x 16 does
    [InlineData(true, false, 16, 196, 144, "Rows", "Rows")]
    [InlineData(false, false, 16, 16, 144, "", "")]          // one ragged strip
    [InlineData(false, false, 64, 784, 576, "", "")]         // more rows: B packed
    [InlineData(false, true, 8, 72, 784, "Dot", "Dot")]      // weight gradient dY * col^T
    [InlineData(false, true, 32, 72, 784, "Dot", "Dot")]
    [InlineData(false, true, 32, 144, 784, "", "Dot")]
    [InlineData(false, true, 16, 72, 196, "Dot", "Dot")]
    [InlineData(false, true, 16, 144, 196, "", "Dot")]
    [InlineData(false, true, 8, 72, 49, "", "")]             // too short along k
    [InlineData(true, true, 8, 72, 784, "", "")]
    [InlineData(true, false, 72, 784, 8, "Rows", "")]        // input gradient W^T * dY: m = Cin * 9, k = Cout
    [InlineData(true, false, 288, 16, 32, "Rows", "")]
    [InlineData(true, false, 576, 49, 64, "", "")]
    [InlineData(false, false, 1024, 1024, 16, "", "")]
    public void Auto_takes_the_unpacked_paths_by_shape(bool transA, bool transB, int m, int n, int k, string avx512, string avx2)
    {
        Gemm.SmallPath(GemmKernel.Avx512, transA, transB, m, n, k).ToString().Should().Be(avx512 == "" ? "Auto" : "Avx512" + avx512);
        Gemm.SmallPath(GemmKernel.Avx2, transA, transB, m, n, k).ToString().Should().Be(avx2 == "" ? "Auto" : "Avx2" + avx2);
        Gemm.SmallPath(GemmKernel.Portable, transA, transB, m, n, k).Should().Be(GemmKernel.Auto);
    }

    [Theory]
    [InlineData(8, 784, true)]     // 28x28 forward, 8 channels: 6-row tiles pad 4 of 12 rows
    [InlineData(8, 72, true)]      // weight gradient, 8 x (8*9)
    [InlineData(16, 72, true)]
    [InlineData(32, 784, true)]
    [InlineData(16, 49, false)]    // 7x7: one 24-wide panel of 49 leaves a 1-column edge pass per 4 rows
    [InlineData(32, 196, false)]   // 6 x 16 leaves only a 2-row pass; measured a few percent faster
    [InlineData(32, 16, false)]    // 4x4 maps: every 4 x 24 tile would be a 16-column edge tile
    [InlineData(8, 16, false)]
    [InlineData(6, 784, false)]    // a multiple of 6: nothing to gain
    [InlineData(72, 784, false)]   // input gradient W^T * dY: m = Cin * 9
    [InlineData(256, 784, false)]  // beyond the small-m range
    public void Auto_on_avx2_picks_4x24_where_it_pads_less(int m, int n, bool expected)
    {
        Gemm.PreferAvx2x4(m, n).Should().Be(expected);
    }

    [Theory]
    [InlineData(8, 784, 72)]
    [InlineData(16, 196, 144)]
    [InlineData(32, 49, 288)]
    [InlineData(8, 72, 784)]
    public void Auto_matches_double_reference_at_small_convolution_shapes(int m, int n, int k)
    {
        // Whatever Auto picks on this CPU (4 x 24 on AVX2-only hosts), with alpha/beta and transposes.
        for (int t = 0; t < 4; t++)
            CheckAgainstReference(GemmKernel.Auto, m, n, k, (t & 1) != 0, (t & 2) != 0, alpha: 1.5f, beta: 0.5f, pad: 2, seed: t);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Matches_double_reference(int m, int n, int k, bool transA, bool transB)
    {
        CheckAgainstReference(GemmKernel.Auto, m, n, k, transA, transB, alpha: 1f, beta: 0f, pad: 0, seed: m * 7919 + n * 104729 + k);
    }

    [Theory]
    [MemberData(nameof(SmallShapesOtherKernels))]
    public void Every_kernel_family_matches_double_reference(string kernel, int m, int n, int k, bool transA, bool transB)
    {
        CheckAgainstReference(Enum.Parse<GemmKernel>(kernel), m, n, k, transA, transB, alpha: 0.75f, beta: -0.5f, pad: 3, seed: m + n + k);
    }

    [Theory]
    [InlineData(1f, 1f)]
    [InlineData(0.5f, 0f)]
    [InlineData(-1.5f, 0.25f)]
    [InlineData(2f, -1f)]
    [InlineData(0f, 2f)]
    [InlineData(0f, 0f)]
    public void Alpha_beta_and_wide_leading_dimensions(float alpha, float beta)
    {
        foreach (var (m, n, k) in new[] { (33, 65, 31), (7, 300, 65), (127, 2, 64) })
            for (int t = 0; t < 4; t++)
                CheckAgainstReference(GemmKernel.Auto, m, n, k, (t & 1) != 0, (t & 2) != 0, alpha, beta, pad: 5, seed: t);
    }

    [Fact]
    public void Beta_zero_does_not_read_C()
    {
        var rng = new Random(1);
        int m = 65, n = 70, k = 31;
        float[] a = Random(rng, m * k), b = Random(rng, k * n);
        float[] c = Enumerable.Repeat(float.NaN, m * n).ToArray();
        Gemm.Sgemm(false, false, m, n, k, 1f, a, k, b, n, 0f, c, n);
        c.Should().OnlyContain(x => float.IsFinite(x));
        float[] expected = new float[m * n];
        Gemm.Sgemm(false, false, m, n, k, 1f, a, k, b, n, 0f, expected, n);
        c.Should().Equal(expected);
    }

    [Fact]
    public void Empty_depth_or_zero_alpha_only_scales_C()
    {
        float[] nanAB = Enumerable.Repeat(float.NaN, 12).ToArray();
        float[] c = [1, 2, 3, 4, 5, 6];
        Gemm.Sgemm(false, false, 2, 3, 0, 1f, [], 1, [], 3, 2f, c, 3);
        c.Should().Equal(2, 4, 6, 8, 10, 12);
        Gemm.Sgemm(false, false, 2, 3, 4, 0f, nanAB, 4, nanAB, 3, 0.5f, c, 3);
        c.Should().Equal(1, 2, 3, 4, 5, 6);
        float[] nanC = Enumerable.Repeat(float.NaN, 6).ToArray();
        Gemm.Sgemm(true, true, 2, 3, 0, 1f, [], 2, [], 1, 0f, nanC, 3);
        nanC.Should().Equal(0, 0, 0, 0, 0, 0);
    }

    [Theory]
    [InlineData(64, 3136, 64, false, false)]   // split along n
    [InlineData(300, 65, 127, false, true)]    // split along m
    [InlineData(97, 1001, 300, true, false)]   // ragged everywhere, two k slices
    [InlineData(65, 333, 600, true, true)]
    [InlineData(8, 3136, 72, false, false)]     // small m (4 x 24 on AVX2), split along n
    [InlineData(16, 1001, 300, false, true)]    // small m, ragged n, two k slices
    [InlineData(13, 1001, 600, true, false)]    // unpacked rows path: ragged rows and strips, k slices
    [InlineData(13, 301, 999, false, true)]     // unpacked dot path: ragged blocks, scalar k tail
    public void Thread_count_does_not_change_a_single_bit(int m, int n, int k, bool transA, bool transB)
    {
        var rng = new Random(m ^ n ^ k);
        float[] a = Random(rng, m * k), b = Random(rng, k * n), c0 = Random(rng, m * n);
        bool avx2 = System.Runtime.Intrinsics.X86.Avx2.IsSupported && System.Runtime.Intrinsics.X86.Fma.IsSupported;
        GemmKernel[] kernels = avx2 ? [GemmKernel.Auto, GemmKernel.Portable, GemmKernel.Avx2x4] : [GemmKernel.Auto, GemmKernel.Portable];
        if (transB && !transA) kernels = [.. kernels, .. UnpackedPaths(rows: false)];
        if (!transB) kernels = [.. kernels, .. UnpackedPaths(rows: true)];
        foreach (var kernel in kernels)
        {
            float[] c1 = (float[])c0.Clone(), c2 = (float[])c0.Clone(), c3 = (float[])c0.Clone();
            int lda = transA ? m : k, ldb = transB ? k : n;
            Gemm.SgemmOn(kernel, transA, transB, m, n, k, 1.25f, a, lda, b, ldb, 0.5f, c1, n, maxThreads: 1);
            Gemm.SgemmOn(kernel, transA, transB, m, n, k, 1.25f, a, lda, b, ldb, 0.5f, c2, n, maxThreads: 2);
            Gemm.SgemmOn(kernel, transA, transB, m, n, k, 1.25f, a, lda, b, ldb, 0.5f, c3, n, maxThreads: 3);
            c2.Should().Equal(c1, $"{kernel}: 2 threads must match 1 bit for bit");
            c3.Should().Equal(c1, $"{kernel}: 3 threads must match 1 bit for bit");
        }
    }

    /// <summary>
    /// Ragged column edges (the last strip of a 7x7 or 14x14 map) run narrower passes than a full tile, yet
    /// every element must get the sum a full tile gives it: the first n columns of an n-wide product equal,
    /// bit for bit, those of the same product with B widened to whole tiles of every kernel (96 columns).
    /// </summary>
    [Theory]
    [InlineData(8, 72)]
    [InlineData(13, 300)]   // ragged rows, two k slices
    public void Ragged_column_edges_give_the_bits_of_full_tiles(int m, int k)
    {
        var rng = new Random(m * 31 + k);
        float[] a = Random(rng, m * k);
        GemmKernel[] kernels = [Gemm.BestKernel, .. OtherKernels];
        foreach (int n in new[] { 1, 4, 15, 16, 17, 18, 19, 20, 21, 24, 31, 49, 52 })
        {
            int wide = (n + 95) / 96 * 96;
            float[] bWide = Random(rng, k * wide), b = new float[k * n], c0 = Random(rng, m * wide);
            for (int p = 0; p < k; p++) bWide.AsSpan(p * wide, n).CopyTo(b.AsSpan(p * n));
            foreach (var kernel in kernels)
            {
                float[] cWide = (float[])c0.Clone(), c = new float[m * n];
                for (int i = 0; i < m; i++) c0.AsSpan(i * wide, n).CopyTo(c.AsSpan(i * n));
                Gemm.SgemmOn(kernel, false, false, m, wide, k, 1.25f, a, k, bWide, wide, 0.5f, cWide, wide, maxThreads: 1);
                Gemm.SgemmOn(kernel, false, false, m, n, k, 1.25f, a, k, b, n, 0.5f, c, n, maxThreads: 1);
                for (int i = 0; i < m; i++)
                    c.AsSpan(i * n, n).ToArray().Should().Equal(cWide.AsSpan(i * wide, n).ToArray(), $"{kernel}, n = {n}, row {i}");
            }
        }
    }

    /// <summary>A constant A packed once and reused across calls gives the bits of packing it every call.</summary>
    [Theory]
    [InlineData(64, 784, 576, false)]    // packed kernel, rows in one block
    [InlineData(300, 65, 800, true)]     // rows over several MC blocks, k slices, transposed A (input gradient)
    [InlineData(8, 784, 72, false)]      // small m: unpacked rows path
    public void Constant_A_reused_across_calls_matches_fresh_packing(int m, int n, int k, bool transA)
    {
        var rng = new Random(m + n + k);
        int lda = transA ? m : k;
        float[] a = Random(rng, m * k);
        float[][] bs = [Random(rng, k * n), Random(rng, k * n), Random(rng, k * n)];
        GemmACache.Forget();
        try
        {
            foreach (var b in bs)
            {
                float[] fresh = new float[m * n], reused = new float[m * n];
                Gemm.Sgemm(transA, false, m, n, k, 1f, a, lda, b, n, 0f, fresh, n, maxThreads: 1);
                Gemm.SgemmConstantA(transA, false, m, n, k, 1f, a, lda, b, n, 0f, reused, n);
                reused.Should().Equal(fresh);
            }
            // The packing is really reused: until Forget, changed contents are not seen (the caller's contract).
            float[] before = new float[m * n], stale = new float[m * n];
            Gemm.SgemmConstantA(transA, false, m, n, k, 1f, a, lda, bs[0], n, 0f, before, n);
            for (int i = 0; i < a.Length; i++) a[i] = -a[i];
            Gemm.SgemmConstantA(transA, false, m, n, k, 1f, a, lda, bs[0], n, 0f, stale, n);
            stale.Should().Equal(before);
            // After Forget, the new contents at the same address are packed again.
            GemmACache.Forget();
            float[] c1 = new float[m * n], c2 = new float[m * n];
            Gemm.Sgemm(transA, false, m, n, k, 1f, a, lda, bs[0], n, 0f, c1, n, maxThreads: 1);
            Gemm.SgemmConstantA(transA, false, m, n, k, 1f, a, lda, bs[0], n, 0f, c2, n);
            c2.Should().Equal(c1);
        }
        finally { GemmACache.Forget(); }
    }

    [Fact]
    public void Repeated_calls_reuse_buffers_and_agree()
    {
        var rng = new Random(5);
        int m = 64, n = 784, k = 576;
        float[] a = Random(rng, m * k), b = Random(rng, k * n), c1 = new float[m * n], c2 = new float[m * n];
        Gemm.Sgemm(false, false, m, n, k, 1f, a, k, b, n, 0f, c1, n);
        Gemm.Sgemm(false, false, 3, 5, 2, 1f, a, k, b, n, 0f, new float[15], 5); // a small call in between
        Gemm.Sgemm(false, false, m, n, k, 1f, a, k, b, n, 0f, c2, n);
        c2.Should().Equal(c1);
    }

    [Fact]
    public void Bad_arguments_name_the_argument()
    {
        float[] buf = new float[100];
        Action lda = () => Gemm.Sgemm(false, false, 4, 4, 4, 1f, buf, 3, buf, 4, 0f, buf, 4);
        lda.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("lda");
        Action ldbT = () => Gemm.Sgemm(false, true, 4, 4, 5, 1f, buf, 5, buf, 4, 0f, buf, 4);
        ldbT.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("ldb");
        Action shortA = () => Gemm.Sgemm(false, false, 10, 4, 11, 1f, buf, 11, buf, 4, 0f, buf, 4);
        shortA.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("a");
        Action shortC = () => Gemm.Sgemm(false, false, 4, 30, 4, 1f, buf, 4, buf, 30, 0f, buf, 30);
        shortC.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("c");
        Action negative = () => Gemm.Sgemm(false, false, -1, 4, 4, 1f, buf, 4, buf, 4, 0f, buf, 4);
        negative.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("m");
    }

    private static void CheckAgainstReference(GemmKernel kernel, int m, int n, int k, bool transA, bool transB,
        float alpha, float beta, int pad, int seed)
    {
        var rng = new Random(seed);
        int aRows = transA ? k : m, aCols = transA ? m : k, bRows = transB ? n : k, bCols = transB ? k : n;
        int lda = aCols + pad, ldb = bCols + pad, ldc = n + pad;
        float[] a = Random(rng, Math.Max(1, aRows * lda)), b = Random(rng, Math.Max(1, bRows * ldb));
        float[] c = Random(rng, m * ldc);
        float[] before = (float[])c.Clone();

        Gemm.SgemmOn(kernel, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

        double tolAbs = 1e-5 * Math.Sqrt(Math.Max(1, k));
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                {
                    double av = transA ? a[p * lda + i] : a[i * lda + p];
                    double bv = transB ? b[j * ldb + p] : b[p * ldb + j];
                    s += av * bv;
                }
                double expected = alpha * s + (beta == 0 ? 0 : beta * (double)before[i * ldc + j]);
                double got = c[i * ldc + j];
                if (!(Math.Abs(got - expected) <= 1e-4 * Math.Abs(expected) + tolAbs))
                    Assert.Fail($"{kernel} m={m} n={n} k={k} transA={transA} transB={transB} alpha={alpha} beta={beta}: " +
                                $"C[{i},{j}] = {got}, expected {expected}");
            }
            for (int j = n; j < ldc && i * ldc + j < c.Length; j++)
                if (BitConverter.SingleToInt32Bits(c[i * ldc + j]) != BitConverter.SingleToInt32Bits(before[i * ldc + j]))
                    Assert.Fail($"{kernel} m={m} n={n} k={k}: padding C[{i},{j}] beyond column n was written");
        }
    }

    private static float[] Random(Random rng, int count)
    {
        var x = new float[count];
        for (int i = 0; i < count; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }
}
