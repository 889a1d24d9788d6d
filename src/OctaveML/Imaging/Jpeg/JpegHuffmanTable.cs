namespace OctaveML.Imaging.Jpeg;

/// <summary>
/// One Huffman table of a JPEG (DHT), with a 9-bit lookup for short codes and libjpeg's
/// maxcode/valoffset search for longer ones. AC tables also get a combined lookup that decodes a
/// whole (run, size, value) coefficient at once when code and magnitude fit in 9 bits.
/// </summary>
internal sealed unsafe class JpegHuffmanTable
{
    public const int FastBits = 9;

    /// <summary>For a 9-bit peek: (code length &lt;&lt; 8) | symbol, or 0 when the code is longer.</summary>
    public readonly ushort[] Fast = JpegDecoderCore.Pinned<ushort>(1 << FastBits);

    /// <summary>For a 9-bit peek: (value &lt;&lt; 8) | (run &lt;&lt; 4) | bits used, or 0 (AC tables only).</summary>
    public readonly int[] FastAc = JpegDecoderCore.Pinned<int>(1 << FastBits);

    /// <summary>Addresses of the pinned lookups, for the scan loops.</summary>
    public readonly ushort* FastPtr;
    public readonly int* FastAcPtr;

    public JpegHuffmanTable()
    {
        FastPtr = JpegDecoderCore.Ptr(Fast);
        FastAcPtr = JpegDecoderCore.Ptr(FastAc);
    }

    /// <summary>Largest code of each length 1..16 (-1: none); index 17 is a sentinel.</summary>
    public readonly int[] MaxCode = new int[18];

    /// <summary>Index into <see cref="Values"/> of a code of each length, minus that length's first code.</summary>
    public readonly int[] ValOffset = new int[18];

    public readonly byte[] Values = new byte[256];

    /// <summary>Builds the table from the 16 code counts and the symbols; returns an error or null.</summary>
    public string? Build(ReadOnlySpan<byte> counts, ReadOnlySpan<byte> symbols, bool isAc)
    {
        Array.Clear(Fast);
        Array.Clear(FastAc);
        Array.Clear(Values);
        symbols.CopyTo(Values);
        int code = 0, k = 0;
        for (int len = 1; len <= 16; len++)
        {
            int n = counts[len - 1];
            if (n == 0) { MaxCode[len] = -1; ValOffset[len] = 0; code <<= 1; continue; }
            // libjpeg's rule: the codes of a length must not reach all ones.
            if (code + n >= 1 << len) return "bad Huffman table (code space overflow)";
            ValOffset[len] = k - code;
            for (int i = 0; i < n; i++, k++, code++)
            {
                if (len <= FastBits)
                {
                    int shift = FastBits - len;
                    int first = code << shift;
                    for (int j = 0; j < 1 << shift; j++)
                        Fast[first + j] = (ushort)((len << 8) | symbols[k]);
                }
            }
            MaxCode[len] = code - 1;
            code <<= 1;
        }
        MaxCode[17] = int.MaxValue;
        if (isAc) BuildFastAc();
        return null;
    }

    private void BuildFastAc()
    {
        for (int peek = 0; peek < 1 << FastBits; peek++)
        {
            int f = Fast[peek];
            if (f == 0) continue;
            int len = f >> 8, rs = f & 255, run = rs >> 4, size = rs & 15;
            if (size == 0 || len + size > FastBits) continue;
            int bits = (peek >> (FastBits - len - size)) & ((1 << size) - 1);
            int value = bits < 1 << (size - 1) ? bits - (1 << size) + 1 : bits;
            FastAc[peek] = (value << 8) | (run << 4) | (len + size);
        }
    }
}
