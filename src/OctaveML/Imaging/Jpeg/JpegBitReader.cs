using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace OctaveML.Imaging.Jpeg;

/// <summary>
/// Reads entropy-coded bits, most significant first, from a 64-bit buffer. Un-stuffs 0xFF00; at a
/// marker or the end of the input it feeds zero bits (as libjpeg does) and stays put, so every
/// read is bounded by the input. Bad codes read as symbol 0 and decoding goes on, as in libjpeg.
/// Kept a struct so the scan loops hold it in registers.
/// </summary>
internal unsafe struct JpegBitReader
{
    public byte* Data;
    public int End;
    public int Pos;
    public ulong Buf;
    public int Count;
    /// <summary>Zero bytes fed after the end of the input (more than a buffer's worth means truncated).</summary>
    public int PastEnd;

    public JpegBitReader(byte* data, int end, int pos)
    {
        Data = data; End = end; Pos = pos; Buf = 0; Count = 0; PastEnd = 0;
    }

    /// <summary>Makes sure at least 32 bits are buffered (every single decode step needs at most 32).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Ensure32()
    {
        if (Count < 32) Fill();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Fill()
    {
        // Fast path: 8 input bytes with no 0xFF among them go in whole.
        if (Pos + 8 <= End && Count <= 56)
        {
            ulong x = BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<ulong>(Data + Pos));
            ulong inv = ~x;
            if (((inv - 0x0101010101010101UL) & ~inv & 0x8080808080808080UL) == 0)
            {
                int nbytes = (64 - Count) >> 3;
                x &= ~0UL << (64 - nbytes * 8);
                Buf |= x >> Count;
                Count += nbytes * 8;
                Pos += nbytes;
                return;
            }
        }
        // By value, so the scan loops' reader never has its address taken and stays in registers.
        this = FillSlow(this);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static JpegBitReader FillSlow(JpegBitReader br)
    {
        while (br.Count <= 56)
        {
            uint b = 0;
            if (br.Pos < br.End)
            {
                b = br.Data[br.Pos];
                if (b != 0xFF) br.Pos++;
                else if (br.Pos + 1 < br.End && br.Data[br.Pos + 1] == 0) br.Pos += 2;
                else
                {
                    b = 0; // a marker: feed zeros, leave it for the parser
                    if (br.Pos + 1 >= br.End) br.PastEnd++;
                }
            }
            else br.PastEnd++;
            br.Buf |= (ulong)b << (56 - br.Count);
            br.Count += 8;
        }
        return br;
    }

    /// <summary>Reads <paramref name="n"/> (1..16) bits as an unsigned value; the caller has ensured them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Bits(int n)
    {
        int v = (int)(Buf >> (64 - n));
        Buf <<= n;
        Count -= n;
        return v;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Bit()
    {
        int v = (int)(Buf >> 63);
        Buf <<= 1;
        Count--;
        return v;
    }

    /// <summary>Reads an <paramref name="n"/>-bit magnitude (0..16) and sign-extends it per JPEG's EXTEND.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Receive(int n)
    {
        if (n == 0) return 0;
        int v = Bits(n);
        return v < 1 << (n - 1) ? v - (1 << n) + 1 : v;
    }

    /// <summary>Decodes one Huffman symbol; the caller has ensured 32 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Decode(JpegHuffmanTable t)
    {
        int f = t.FastPtr[(int)(Buf >> (64 - JpegHuffmanTable.FastBits))];
        if (f == 0) f = SlowLookup(Buf, t);
        int len = f >> 8;
        Buf <<= len;
        Count -= len;
        return f & 255;
    }

    /// <summary>(length &lt;&lt; 8) | symbol of a code longer than the fast lookup.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int SlowLookup(ulong buf, JpegHuffmanTable t)
    {
        int code16 = (int)(buf >> 48);
        for (int len = JpegHuffmanTable.FastBits + 1; len <= 16; len++)
        {
            int code = code16 >> (16 - len);
            if (code <= t.MaxCode[len])
                return (len << 8) | t.Values[(code + t.ValOffset[len]) & 255];
        }
        // No such code: corrupt data. Skip 16 bits and go on with a zero symbol, like libjpeg.
        return 16 << 8;
    }

    /// <summary>Drops buffered bits and moves to the next marker (restart or end of scan).</summary>
    public void Reset()
    {
        Buf = 0;
        Count = 0;
    }
}
