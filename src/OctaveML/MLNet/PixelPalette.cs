namespace OctaveML.MLNet;

/// <summary>
/// Up to 256 distinct float values per channel, each given a byte code the first time it is seen, so
/// that an image is stored as one byte per value and decoded bit-exactly. ExtractPixels writes
/// (pixel - offset) x scale for 8-bit pixels: at most 256 values per channel, whatever the offset and
/// scale. Values are keyed by their bits, so decoding returns exactly the floats the pipeline made.
/// </summary>
internal sealed class PixelPalette
{
    public const int Codes = 256;
    private const int Slots = 1024; // open addressing at load <= 1/4
    private readonly float[][] _values;
    private readonly int[] _counts;
    private readonly uint[][] _keys;
    private readonly short[][] _slots; // code + 1; 0 = empty

    public PixelPalette(int channels)
    {
        _values = new float[channels][];
        _counts = new int[channels];
        _keys = new uint[channels][];
        _slots = new short[channels][];
        for (int c = 0; c < channels; c++)
        {
            _values[c] = new float[Codes]; _keys[c] = new uint[Slots]; _slots[c] = new short[Slots];
        }
    }

    /// <summary>The distinct values seen in channel <paramref name="channel"/>, by code.</summary>
    public ReadOnlySpan<float> Values(int channel) => _values[channel].AsSpan(0, _counts[channel]);

    /// <summary>
    /// Codes of one channel's values; false (codes partly written, palette still valid) when the
    /// channel would need more than 256 distinct values.
    /// </summary>
    public bool TryEncode(int channel, ReadOnlySpan<float> plane, Span<byte> codes)
    {
        var keys = _keys[channel];
        var slots = _slots[channel];
        uint lastBits = 0; byte lastCode = 0; bool haveLast = false;
        for (int i = 0; i < plane.Length; i++)
        {
            uint bits = BitConverter.SingleToUInt32Bits(plane[i]);
            if (haveLast && bits == lastBits) { codes[i] = lastCode; continue; }
            int s = (int)((bits * 0x9E3779B1u) >> 22);
            while (true)
            {
                int code = slots[s] - 1;
                if (code < 0)
                {
                    if (_counts[channel] == Codes) return false;
                    code = _counts[channel]++;
                    _values[channel][code] = plane[i];
                    keys[s] = bits; slots[s] = (short)(code + 1);
                }
                else if (keys[s] != bits)
                {
                    s = (s + 1) & (Slots - 1);
                    continue;
                }
                lastBits = bits; lastCode = (byte)code; haveLast = true;
                codes[i] = (byte)code;
                break;
            }
        }
        return true;
    }

    /// <summary>The values of one channel's codes.</summary>
    public void Decode(int channel, ReadOnlySpan<byte> codes, Span<float> plane)
    {
        var values = _values[channel];
        for (int i = 0; i < codes.Length; i++) plane[i] = values[codes[i]];
    }
}
