using System.Runtime.CompilerServices;
using OctaveML.Kernels.Jpeg;

namespace OctaveML.Imaging.Jpeg;

/// <summary>
/// Entropy decoding of scans: the direct sequential path (decode, inverse-transform and output one
/// MCU row at a time) and the coefficient path (progressive, or sequential with one scan per component).
/// </summary>
[SkipLocalsInit]
internal sealed unsafe partial class JpegDecoderCore
{
    private enum ScanKind { Sequential, DcFirst, DcRefine, AcFirst, AcRefine }

    /// <summary>A sequential scan holding every component: blocks go straight through the IDCT into the ring planes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void DecodeDirect(JpegComponent[] comps)
    {
        int n = comps.Length;
        bool single = n == 1;
        int mcusX = single ? comps[0].CompBlocksW : _mcusX;
        int mcusY = _steps;
        // Per scan component: its blocks in an MCU, tables, and where its blocks go (null plane: decoded and dropped).
        var bh = stackalloc int[4];
        var bv = stackalloc int[4];
        var planes = stackalloc byte*[4];
        var quants = stackalloc int*[4];
        var strides = stackalloc int[4];
        var rings = stackalloc int[4];
        var preds = stackalloc int[4];
        var dcs = new JpegHuffmanTable[n];
        var acs = new JpegHuffmanTable[n];
        for (int i = 0; i < n; i++)
        {
            var c = comps[i];
            dcs[i] = _dcTables[c.DcTable]!;
            acs[i] = _acTables[c.AcTable]!;
            bh[i] = single ? 1 : c.H;
            bv[i] = single ? 1 : c.V;
            planes[i] = c.PlanePtr;
            quants[i] = Ptr(c.Quant!);
            strides[i] = c.Stride;
            rings[i] = c.RingRows;
            preds[i] = 0;
        }
        short* blk = stackalloc short[64 + 16];
        blk = (short*)(((nint)blk + 31) & ~(nint)31);
        Unsafe.InitBlockUnaligned(blk, 0, 128);
        var br = new JpegBitReader(_data, _length, _pos);
        int restartsLeft = _restartInterval;

        for (int my = 0; my < mcusY; my++)
        {
            for (int mx = 0; mx < mcusX; mx++)
            {
                if (_restartInterval != 0)
                {
                    if (restartsLeft == 0)
                    {
                        br.Pos = RestartPosition(br.Pos);
                        br.Reset();
                        restartsLeft = _restartInterval;
                        for (int i = 0; i < n; i++) preds[i] = 0;
                    }
                    restartsLeft--;
                }
                for (int i = 0; i < n; i++)
                {
                    var dc = dcs[i];
                    var ac = acs[i];
                    byte* plane = planes[i];
                    int stride = strides[i], ring = rings[i];
                    for (int v = 0; v < bv[i]; v++)
                    {
                        int row = ((my * bv[i] + v) * 8) % ring;
                        for (int h = 0; h < bh[i]; h++)
                        {
                            DecodeSequentialBlock(ref br, blk, dc, ac, ref preds[i]);
                            if (plane != null)
                                JpegIdct.Transform(blk, quants[i], plane + row * stride + (mx * bh[i] + h) * 8, stride);
                            Unsafe.InitBlockUnaligned(blk, 0, 128);
                        }
                    }
                }
            }
            if (br.PastEnd > 16) throw Truncated();
            EmitRows(my + 1);
        }
        _pos = br.Pos;
    }

    /// <summary>Any other scan: coefficients accumulate in the component's store.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void DecodeScan(JpegComponent[] comps, int ss, int se, int ah, int al)
    {
        if (_direct)
        {
            DecodeDirect(comps);
            return;
        }
        var kind = !_progressive ? ScanKind.Sequential
                 : ss == 0 ? (ah == 0 ? ScanKind.DcFirst : ScanKind.DcRefine)
                 : (ah == 0 ? ScanKind.AcFirst : ScanKind.AcRefine);
        int n = comps.Length;
        bool single = n == 1;
        int mcusX = single ? comps[0].CompBlocksW : _mcusX;
        int mcusY = single ? comps[0].CompBlocksH : _mcusY;
        var dc = new JpegHuffmanTable?[n];
        var ac = new JpegHuffmanTable?[n];
        var bh = new int[n];
        var bv = new int[n];
        for (int i = 0; i < n; i++)
        {
            var c = comps[i];
            dc[i] = _dcTables[c.DcTable];
            ac[i] = _acTables[c.AcTable];
            bh[i] = single ? 1 : c.H;
            bv[i] = single ? 1 : c.V;
            c.Pred = 0;
        }
        short* scratch = stackalloc short[64];
        var br = new JpegBitReader(_data, _length, _pos);
        int eobrun = 0, restartsLeft = _restartInterval;

        for (int my = 0; my < mcusY; my++)
        {
            for (int mx = 0; mx < mcusX; mx++)
            {
                if (_restartInterval != 0)
                {
                    if (restartsLeft == 0)
                    {
                        br.Pos = RestartPosition(br.Pos);
                        br.Reset();
                        restartsLeft = _restartInterval;
                        eobrun = 0;
                        foreach (var c in comps) c.Pred = 0;
                    }
                    restartsLeft--;
                }
                for (int i = 0; i < n; i++)
                {
                    var c = comps[i];
                    for (int v = 0; v < bv[i]; v++)
                        for (int h = 0; h < bh[i]; h++)
                        {
                            int bx = mx * bh[i] + h, by = my * bv[i] + v;
                            short* blk = scratch;
                            if (c.Coefs is not null) blk = Ptr(c.Coefs) + (by * c.BlocksW + bx) * 64;
                            else Unsafe.InitBlockUnaligned(scratch, 0, 128);
                            switch (kind)
                            {
                                case ScanKind.Sequential: DecodeSequentialBlock(ref br, blk, dc[i]!, ac[i]!, ref c.Pred); break;
                                case ScanKind.DcFirst: DecodeDcFirst(ref br, blk, dc[i]!, ref c.Pred, al); break;
                                case ScanKind.DcRefine: br.Ensure32(); if (br.Bit() != 0) blk[0] |= (short)(1 << al); break;
                                case ScanKind.AcFirst: DecodeAcFirst(ref br, blk, ac[i]!, ss, se, al, ref eobrun); break;
                                default: DecodeAcRefine(ref br, blk, ac[i]!, ss, se, al, ref eobrun); break;
                            }
                        }
                }
            }
            if (br.PastEnd > 16) throw Truncated();
        }
        _pos = br.Pos;
    }

    /// <summary>One sequential block: DC difference then run-length coded AC, into natural order (blk must be zero).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void DecodeSequentialBlock(ref JpegBitReader br, short* blk, JpegHuffmanTable dc, JpegHuffmanTable ac, ref int pred)
    {
        br.Ensure32();
        int s = br.Decode(dc);
        if (s > 16) s = 0; // corrupt: no such DC category
        pred += br.Receive(s);
        blk[0] = (short)pred;
        int* fastAc = ac.FastAcPtr;
        fixed (byte* order = NaturalOrder)
        {
            for (int k = 1; k < 64;)
            {
                br.Ensure32();
                int f = fastAc[(int)(br.Buf >> (64 - JpegHuffmanTable.FastBits))];
                if (f != 0)
                {
                    k += (f >> 4) & 15;
                    int used = f & 15;
                    br.Buf <<= used;
                    br.Count -= used;
                    blk[order[k]] = (short)(f >> 8);
                    k++;
                    continue;
                }
                int rs = br.Decode(ac);
                int r = rs >> 4;
                s = rs & 15;
                if (s == 0)
                {
                    if (r != 15) break;
                    k += 16;
                    continue;
                }
                k += r;
                blk[order[k]] = (short)br.Receive(s);
                k++;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void DecodeDcFirst(ref JpegBitReader br, short* blk, JpegHuffmanTable dc, ref int pred, int al)
    {
        br.Ensure32();
        int s = br.Decode(dc);
        if (s > 16) s = 0; // corrupt: no such DC category
        pred += br.Receive(s);
        blk[0] = (short)(pred << al);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void DecodeAcFirst(ref JpegBitReader br, short* blk, JpegHuffmanTable ac, int ss, int se, int al, ref int eobrun)
    {
        if (eobrun > 0) { eobrun--; return; }
        var order = NaturalOrder;
        for (int k = ss; k <= se; k++)
        {
            br.Ensure32();
            int rs = br.Decode(ac);
            int r = rs >> 4, s = rs & 15;
            if (s != 0)
            {
                k += r;
                blk[order[k]] = (short)(br.Receive(s) << al);
            }
            else if (r == 15) k += 15;
            else
            {
                eobrun = 1 << r;
                if (r != 0) eobrun += br.Bits(r);
                eobrun--;
                break;
            }
        }
    }

    /// <summary>Successive-approximation AC refinement, as libjpeg's decode_mcu_AC_refine.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void DecodeAcRefine(ref JpegBitReader br, short* blk, JpegHuffmanTable ac, int ss, int se, int al, ref int eobrun)
    {
        var order = NaturalOrder;
        int p1 = 1 << al, m1 = -1 << al;
        int k = ss;
        if (eobrun == 0)
        {
            for (; k <= se; k++)
            {
                br.Ensure32();
                int rs = br.Decode(ac);
                int r = rs >> 4, s = rs & 15;
                if (s != 0)
                {
                    s = br.Bit() != 0 ? p1 : m1;
                }
                else if (r != 15)
                {
                    eobrun = 1 << r;
                    if (r != 0) eobrun += br.Bits(r);
                    break;
                }
                // Skip r zero coefficients (refining the non-zero ones passed), then place the new one.
                do
                {
                    short* coef = blk + order[k];
                    if (*coef != 0)
                    {
                        br.Ensure32();
                        if (br.Bit() != 0 && (*coef & p1) == 0)
                            *coef = (short)(*coef >= 0 ? *coef + p1 : *coef + m1);
                    }
                    else if (--r < 0) break;
                    k++;
                } while (k <= se);
                if (s != 0) blk[order[k]] = (short)s;
            }
        }
        if (eobrun > 0)
        {
            for (; k <= se; k++)
            {
                short* coef = blk + order[k];
                if (*coef != 0)
                {
                    br.Ensure32();
                    if (br.Bit() != 0 && (*coef & p1) == 0)
                        *coef = (short)(*coef >= 0 ? *coef + p1 : *coef + m1);
                }
            }
            eobrun--;
        }
    }

    /// <summary>Where decoding resumes after a restart boundary: past the next RSTn marker, or at any other marker.</summary>
    private int RestartPosition(int p)
    {
        while (p < _length)
        {
            if (_data[p] != 0xFF || p + 1 >= _length) { p++; continue; }
            int m = _data[p + 1];
            if (m == 0x00) { p += 2; continue; }
            if (m == 0xFF) { p++; continue; }
            if (m is >= 0xD0 and <= 0xD7) p += 2;
            break; // any other marker stays for the parser; the rest of the scan decodes from zeros
        }
        return Math.Min(p, _length);
    }

    /// <summary>After the last scan of a coefficient-path image: inverse-transform a step at a time and output its rows.</summary>
    private void FinishCoefficients()
    {
        var comps = _components!;
        bool single = comps.Length == 1;
        for (int step = 0; step < _steps; step++)
        {
            foreach (var c in comps)
            {
                if (c.Coefs is null || c.Quant is null) continue;
                short* coefs = Ptr(c.Coefs);
                int* q = Ptr(c.Quant);
                int bv = single ? 1 : c.V;
                for (int by = step * bv; by < Math.Min((step + 1) * bv, c.CompBlocksH); by++)
                {
                    byte* row = c.PlanePtr + (by * 8 % c.RingRows) * c.Stride;
                    for (int bx = 0; bx < c.CompBlocksW; bx++)
                        JpegIdct.Transform(coefs + (by * c.BlocksW + bx) * 64, q, row + bx * 8, c.Stride);
                }
            }
            EmitRows(step + 1);
        }
    }
}
