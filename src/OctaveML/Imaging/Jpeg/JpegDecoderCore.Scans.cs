using System.Runtime.CompilerServices;
using OctaveML.Kernels.Jpeg;

namespace OctaveML.Imaging.Jpeg;

/// <summary>Entropy decoding of scans: sequential (decode and inverse-transform at once) and progressive.</summary>
internal sealed unsafe partial class JpegDecoderCore
{
    private enum ScanKind { Sequential, DcFirst, DcRefine, AcFirst, AcRefine }

    private void DecodeScan(JpegComponent[] comps, int ss, int se, int ah, int al)
    {
        var kind = !_progressive ? ScanKind.Sequential
                 : ss == 0 ? (ah == 0 ? ScanKind.DcFirst : ScanKind.DcRefine)
                 : (ah == 0 ? ScanKind.AcFirst : ScanKind.AcRefine);
        int n = comps.Length;
        bool single = n == 1;
        int mcusX = single ? comps[0].CompBlocksW : _mcusX;
        int mcusY = single ? comps[0].CompBlocksH : _mcusY;

        // Per scan component: tables, block layout, and where its blocks go (null: decoded and dropped).
        var dc = new JpegHuffmanTable?[n];
        var ac = new JpegHuffmanTable?[n];
        var bh = new int[n];
        var bv = new int[n];
        var store = new bool[n];
        for (int i = 0; i < n; i++)
        {
            var c = comps[i];
            dc[i] = _dcTables[c.DcTable];
            ac[i] = _acTables[c.AcTable];
            bh[i] = single ? 1 : c.H;
            bv[i] = single ? 1 : c.V;
            store[i] = c.Plane.Length > 0;
            c.Pred = 0;
        }
        short* scratch = stackalloc short[64 + 16];
        scratch = (short*)(((nint)scratch + 31) & ~(nint)31);
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
                        Restart(ref br);
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
                            if (kind == ScanKind.Sequential)
                            {
                                DecodeSequentialBlock(ref br, scratch, dc[i]!, ac[i]!, ref c.Pred);
                                if (store[i])
                                    fixed (byte* plane = c.Plane)
                                    fixed (int* q = c.Quant)
                                        JpegIdct.Transform(scratch, q, plane + (by * 8) * c.Stride + bx * 8, c.Stride);
                                Unsafe.InitBlockUnaligned(scratch, 0, 128);
                                continue;
                            }
                            short* blk = scratch;
                            if (store[i])
                                blk = Ptr(c.Coefs!) + (by * c.BlocksW + bx) * 64;
                            else
                                Unsafe.InitBlockUnaligned(scratch, 0, 128);
                            switch (kind)
                            {
                                case ScanKind.DcFirst: DecodeDcFirst(ref br, blk, dc[i]!, ref c.Pred, al); break;
                                case ScanKind.DcRefine: br.Ensure32(); if (br.Bit() != 0) blk[0] |= (short)(1 << al); break;
                                case ScanKind.AcFirst: DecodeAcFirst(ref br, blk, ac[i]!, ss, se, al, ref eobrun); break;
                                default: DecodeAcRefine(ref br, blk, ac[i]!, ss, se, al, ref eobrun); break;
                            }
                        }
                }
                if (br.PastEnd > 16) throw Truncated();
            }
        }
        _pos = br.Pos;
    }

    /// <summary>One baseline block: DC difference then run-length coded AC, into natural order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void DecodeSequentialBlock(ref JpegBitReader br, short* blk, JpegHuffmanTable dc, JpegHuffmanTable ac, ref int pred)
    {
        br.Ensure32();
        int s = br.Decode(dc);
        if (s > 16) { br.Corrupt = true; s = 0; }
        pred += br.Receive(s);
        blk[0] = (short)pred;
        var order = NaturalOrder;
        var fastAc = ac.FastAc;
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

    private static void DecodeDcFirst(ref JpegBitReader br, short* blk, JpegHuffmanTable dc, ref int pred, int al)
    {
        br.Ensure32();
        int s = br.Decode(dc);
        if (s > 16) { br.Corrupt = true; s = 0; }
        pred += br.Receive(s);
        blk[0] = (short)(pred << al);
    }

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
                    if (s != 1) br.Corrupt = true;
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

    /// <summary>At a restart boundary: drop buffered bits and move past the RSTn marker.</summary>
    private void Restart(ref JpegBitReader br)
    {
        br.Reset();
        int p = br.Pos;
        while (p < _length)
        {
            if (_data[p] != 0xFF || p + 1 >= _length) { p++; continue; }
            int m = _data[p + 1];
            if (m == 0x00) { p += 2; continue; }
            if (m == 0xFF) { p++; continue; }
            if (m is >= 0xD0 and <= 0xD7) p += 2;
            break; // any other marker stays for the parser; the rest of the scan decodes from zeros
        }
        br.Pos = Math.Min(p, _length);
    }

    /// <summary>After all scans of a progressive image: inverse-transform every block that holds image data.</summary>
    private void FinishProgressive()
    {
        foreach (var c in _components!)
        {
            if (c.Coefs is null || c.Quant is null) continue;
            short* coefs = Ptr(c.Coefs);
            byte* plane = Ptr(c.Plane);
            int* q = Ptr(c.Quant);
            for (int by = 0; by < c.CompBlocksH; by++)
                for (int bx = 0; bx < c.CompBlocksW; bx++)
                    JpegIdct.Transform(coefs + (by * c.BlocksW + bx) * 64, q, plane + by * 8 * c.Stride + bx * 8, c.Stride);
        }
    }
}
