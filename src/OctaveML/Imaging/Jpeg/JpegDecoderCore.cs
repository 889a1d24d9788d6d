using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace OctaveML.Imaging.Jpeg;

/// <summary>
/// Decodes one JPEG held in memory: walks the markers, keeps the tables, decodes each scan
/// (JpegDecoderCore.Scans.cs) and turns the component planes into an image (JpegDecoderCore.Output.cs).
/// Every read is bounds-checked against the input; bad data raises <see cref="ImageFormatException"/>.
/// </summary>
internal sealed unsafe partial class JpegDecoderCore
{
    /// <summary>Zigzag index to natural index, with 16 extra entries so corrupt runs past 63 stay inside a block.</summary>
    internal static readonly byte[] NaturalOrder = BuildNaturalOrder();

    private readonly byte* _data;
    private readonly int _length;
    private readonly DecodeOptions _options;
    private readonly string? _fileName;
    private int _pos;

    private readonly int[]?[] _quant = new int[4][];
    private readonly JpegHuffmanTable?[] _dcTables = new JpegHuffmanTable?[4];
    private readonly JpegHuffmanTable?[] _acTables = new JpegHuffmanTable?[4];
    private int _restartInterval;
    private bool _sawJfif, _sawAdobe, _sawExif;
    private int _adobeTransform, _orientation = 1;

    private JpegComponent[]? _components;
    private int _width, _height, _hmax, _vmax, _mcusX, _mcusY;
    private bool _progressive, _sawScan, _lumaOnly, _allocated, _direct;
    private int _channels, _steps, _nextRow, _scanCount;
    private const int MaxScans = 1000;
    private byte[] _pixels = Array.Empty<byte>();
    private ColorSpace _colorSpace;

    public JpegDecoderCore(byte* data, int length, DecodeOptions options, string? fileName)
    {
        _data = data;
        _length = length;
        _options = options;
        _fileName = fileName;
    }

    private static byte[] BuildNaturalOrder()
    {
        var order = new byte[80];
        int i = 0;
        for (int s = 0; s < 15; s++)
            for (int j = 0; j <= s; j++)
            {
                int row = s % 2 == 0 ? s - j : j, col = s - row;
                if (row < 8 && col < 8) order[i++] = (byte)(row * 8 + col);
            }
        for (; i < 80; i++) order[i] = 63;
        return order;
    }

    private ImageFormatException Corrupt(string reason) => new(_fileName, reason);
    private ImageFormatException Truncated() => new(_fileName, "truncated: the file ends before the JPEG's end (EOI) marker");
    private UnsupportedImageFormatException Unsupported(string reason) => new(_fileName, reason);

    /// <summary>Pinned, zeroed memory whose address stays valid for the decoder's lifetime.</summary>
    internal static T[] Pinned<T>(int count) where T : unmanaged => GC.AllocateArray<T>(count, pinned: true);

    internal static T* Ptr<T>(T[] pinned) where T : unmanaged => (T*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(pinned));

    public Image Decode()
    {
        if (_length == 0) throw Corrupt("empty file (zero bytes)");
        if (_length < 2 || _data[0] != 0xFF || _data[1] != 0xD8) throw Corrupt("not a JPEG file (no SOI marker at the start)");
        _pos = 2;
        while (true)
        {
            int marker = NextMarker();
            if (marker == 0xD9) break; // EOI
            switch (marker)
            {
                case 0xC0: case 0xC1: case 0xC2:
                    ParseFrame(marker, Segment());
                    break;
                case 0xC3: case 0xC5: case 0xC6: case 0xC7:
                    throw Unsupported($"lossless or hierarchical JPEG (SOF{marker - 0xC0}) is not supported");
                case 0xC9: case 0xCA: case 0xCB: case 0xCD: case 0xCE: case 0xCF:
                    throw Unsupported($"arithmetic-coded JPEG (SOF{marker - 0xC0}) is not supported; only Huffman coding is");
                case 0xC4:
                    ParseHuffmanTables(Segment());
                    break;
                case 0xDB:
                    ParseQuantTables(Segment());
                    break;
                case 0xDD:
                {
                    var s = Segment();
                    if (s.Length < 2) throw Corrupt("bad DRI segment");
                    _restartInterval = (s[0] << 8) | s[1];
                    break;
                }
                case 0xDA:
                    ParseScan(Segment());
                    break;
                case 0xDC:
                    throw Unsupported("height defined by a DNL marker is not supported");
                case >= 0xD0 and <= 0xD7: case 0x01:
                    break; // stray RSTn / TEM: no segment
                case >= 0xE0 and <= 0xEF:
                    ParseApp(marker, Segment());
                    break;
                default:
                    Segment(); // COM, DAC, JPGn, ...: skipped
                    break;
            }
        }
        if (_components is null) throw Corrupt("no frame header (SOF) before the end of the image");
        if (!_sawScan) throw Corrupt("no scan (SOS) holds image data");
        if (!_direct) FinishCoefficients();
        var image = new Image(_width, _height, _channels, _pixels);
        if (_options.ApplyExifOrientation && _orientation != 1) image = ExifOrientation.Apply(image, _orientation);
        return image;
    }

    /// <summary>The next marker code; skips fill bytes and any garbage between segments (as libjpeg does).</summary>
    private int NextMarker()
    {
        while (true)
        {
            while (_pos < _length && _data[_pos] != 0xFF) _pos++;
            while (_pos + 1 < _length && _data[_pos + 1] == 0xFF) _pos++;
            if (_pos + 1 >= _length) throw Truncated();
            int m = _data[_pos + 1];
            _pos += 2;
            if (m != 0) return m;
        }
    }

    /// <summary>The payload of the segment at the current position (after its length), and moves past it.</summary>
    private ReadOnlySpan<byte> Segment()
    {
        if (_pos + 2 > _length) throw Truncated();
        int len = (_data[_pos] << 8) | _data[_pos + 1];
        if (len < 2) throw Corrupt($"bad segment length {len}");
        if (_pos + len > _length) throw Truncated();
        var payload = new ReadOnlySpan<byte>(_data + _pos + 2, len - 2);
        _pos += len;
        return payload;
    }

    private void ParseApp(int marker, ReadOnlySpan<byte> s)
    {
        if (marker == 0xE0 && s.Length >= 5 && s[..5].SequenceEqual("JFIF\0"u8)) _sawJfif = true;
        else if (marker == 0xE1 && !_sawExif && s.Length >= 6 && s[..6].SequenceEqual("Exif\0\0"u8))
        {
            _sawExif = true;
            _orientation = ExifOrientation.Parse(s[6..]);
        }
        else if (marker == 0xEE && s.Length >= 12 && s[..5].SequenceEqual("Adobe"u8))
        {
            _sawAdobe = true;
            _adobeTransform = s[11];
        }
    }

    private void ParseQuantTables(ReadOnlySpan<byte> s)
    {
        while (s.Length > 0)
        {
            int pq = s[0] >> 4, tq = s[0] & 15;
            if (pq > 1 || tq > 3) throw Corrupt("bad quantization table (DQT) header");
            int need = 1 + 64 * (pq + 1);
            if (s.Length < need) throw Corrupt("DQT segment too short");
            var table = new int[64];
            for (int k = 0; k < 64; k++)
                table[NaturalOrder[k]] = pq == 0 ? s[1 + k] : (s[1 + 2 * k] << 8) | s[2 + 2 * k];
            _quant[tq] = table;
            s = s[need..];
        }
    }

    private void ParseHuffmanTables(ReadOnlySpan<byte> s)
    {
        while (s.Length > 0)
        {
            int tc = s[0] >> 4, th = s[0] & 15;
            if (tc > 1 || th > 3) throw Corrupt("bad Huffman table (DHT) header");
            if (s.Length < 17) throw Corrupt("DHT segment too short");
            var counts = s.Slice(1, 16);
            int total = 0;
            foreach (var c in counts) total += c;
            if (total > 256 || s.Length < 17 + total) throw Corrupt("bad Huffman table (DHT) code counts");
            var table = new JpegHuffmanTable();
            string? error = table.Build(counts, s.Slice(17, total), tc == 1);
            if (error is not null) throw Corrupt(error);
            (tc == 0 ? _dcTables : _acTables)[th] = table;
            s = s[(17 + total)..];
        }
    }

    private void ParseFrame(int marker, ReadOnlySpan<byte> s)
    {
        if (_components is not null) throw Corrupt("more than one frame header (SOF)");
        if (s.Length < 6) throw Corrupt("SOF segment too short");
        int precision = s[0], height = (s[1] << 8) | s[2], width = (s[3] << 8) | s[4], n = s[5];
        if (precision != 8)
            throw precision == 12 ? Unsupported("12-bit JPEG is not supported; only 8-bit samples are")
                                  : Corrupt($"bad sample precision {precision}");
        if (height == 0) throw Unsupported("height defined by a DNL marker is not supported");
        if (width == 0) throw Corrupt("zero image width");
        if (n is not (1 or 3 or 4)) throw Unsupported($"{n} colour components (1, 3 or 4 are supported)");
        if (s.Length < 6 + 3 * n) throw Corrupt("SOF segment too short for its components");
        if ((long)width * height > _options.MaxPixels)
            throw Corrupt($"{width}x{height} pixels exceeds the limit of {_options.MaxPixels} (DecodeOptions.MaxPixels)");

        var comps = new JpegComponent[n];
        for (int i = 0; i < n; i++)
        {
            var c = new JpegComponent { Id = s[6 + 3 * i], H = s[7 + 3 * i] >> 4, V = s[7 + 3 * i] & 15, QuantIndex = s[8 + 3 * i] };
            if (c.H is < 1 or > 4 || c.V is < 1 or > 4) throw Corrupt($"bad sampling factors {c.H}x{c.V}");
            if (c.QuantIndex > 3) throw Corrupt($"bad quantization table index {c.QuantIndex}");
            for (int j = 0; j < i; j++)
                if (comps[j].Id == c.Id) throw Corrupt($"duplicate component id {c.Id}");
            comps[i] = c;
            _hmax = Math.Max(_hmax, c.H);
            _vmax = Math.Max(_vmax, c.V);
        }
        foreach (var c in comps)
            if (_hmax % c.H != 0 || _vmax % c.V != 0)
                throw Unsupported($"fractional chroma sampling ({c.H}x{c.V} against {_hmax}x{_vmax}) is not supported");

        _width = width;
        _height = height;
        _progressive = marker == 0xC2;
        _mcusX = (width + 8 * _hmax - 1) / (8 * _hmax);
        _mcusY = (height + 8 * _vmax - 1) / (8 * _vmax);
        foreach (var c in comps)
        {
            c.DownW = (int)(((long)width * c.H + _hmax - 1) / _hmax);
            c.DownH = (int)(((long)height * c.V + _vmax - 1) / _vmax);
            c.CompBlocksW = (c.DownW + 7) / 8;
            c.CompBlocksH = (c.DownH + 7) / 8;
            c.BlocksW = _mcusX * c.H;
            c.BlocksH = _mcusY * c.V;
        }
        // Every block costs at least one bit in some scan: a file far smaller than its declared size
        // is truncated or a decompression bomb; refuse it before allocating the planes.
        long minBlocks = (long)comps[0].CompBlocksW * comps[0].CompBlocksH;
        if ((long)_length * 8 < minBlocks)
            throw Corrupt($"the file ({_length} bytes) is too small to hold a {width}x{height} JPEG (truncated, or a decompression bomb)");

        _components = comps;
    }

    /// <summary>
    /// libjpeg's colour space guess (jdapimin.c default_decompress_parms). Valid once the markers
    /// before the frame have been read, which is where JFIF and Adobe markers live.
    /// </summary>
    private enum ColorSpace { Gray, YCbCr, Rgb, Cmyk, Ycck }

    private ColorSpace GuessColorSpace(JpegComponent[] comps)
    {
        switch (comps.Length)
        {
            case 1: return ColorSpace.Gray;
            case 3:
                if (_sawJfif) return ColorSpace.YCbCr;
                if (_sawAdobe) return _adobeTransform == 0 ? ColorSpace.Rgb : ColorSpace.YCbCr;
                if (comps[0].Id == 82 && comps[1].Id == 71 && comps[2].Id == 66) return ColorSpace.Rgb;
                return ColorSpace.YCbCr;
            default:
                if (_sawAdobe) return _adobeTransform == 0 ? ColorSpace.Cmyk : ColorSpace.Ycck;
                return ColorSpace.Cmyk;
        }
    }

    /// <summary>
    /// At the first scan (as libjpeg's jpeg_read_header does), fixes the colour space and allocates
    /// the output and the planes. A sequential file whose first scan holds every component is
    /// decoded "direct": each MCU row is inverse-transformed and turned into output rows at once.
    /// Otherwise (progressive, or one scan per component) coefficients are kept until the end.
    /// Grayscale output of YCbCr needs only the luma plane.
    /// </summary>
    private void Allocate(JpegComponent[] frame, JpegComponent[] scan)
    {
        _colorSpace = GuessColorSpace(frame);
        _lumaOnly = _options.Grayscale && _colorSpace is ColorSpace.Gray or ColorSpace.YCbCr;
        _direct = !_progressive && scan.Length == frame.Length;
        _channels = _options.Grayscale ? 1 : 3;
        long bytes = (long)_width * _height * _channels;
        if (bytes > Array.MaxLength) throw Corrupt($"{_width}x{_height} pixels is too large to decode into one array");
        _pixels = GC.AllocateUninitializedArray<byte>((int)bytes);
        _steps = frame.Length == 1 ? frame[0].CompBlocksH : _mcusY;
        for (int i = 0; i < frame.Length; i++)
        {
            var c = frame[i];
            c.Stride = c.BlocksW * 8;
            c.RowsPerStep = 8 * (frame.Length == 1 ? 1 : c.V);
            c.RingRows = 3 * c.RowsPerStep;
            if (i > 0 && _lumaOnly) continue; // chroma planes are never read
            c.Plane = Pinned<byte>(c.Stride * c.RingRows + 2 * Kernels.Jpeg.JpegUpsample.Slack);
            c.PlanePtr = Ptr(c.Plane);
            if (!_direct)
            {
                long coefs = (long)c.BlocksW * c.BlocksH * 64;
                if (coefs > Array.MaxLength) throw Corrupt($"{_width}x{_height} pixels is too large for a progressive decode");
                c.Coefs = Pinned<short>((int)coefs);
            }
        }
        _allocated = true;
    }

    private void ParseScan(ReadOnlySpan<byte> s)
    {
        var frame = _components ?? throw Corrupt("scan (SOS) before the frame header (SOF)");

        if (s.Length < 1) throw Corrupt("SOS segment too short");
        int ns = s[0];
        if (ns is < 1 or > 4 || s.Length < 1 + 2 * ns + 3) throw Corrupt("bad scan (SOS) header");
        var comps = new JpegComponent[ns];
        for (int i = 0; i < ns; i++)
        {
            int id = s[1 + 2 * i], tables = s[2 + 2 * i];
            var c = Array.Find(frame, f => f.Id == id) ?? throw Corrupt($"scan names unknown component {id}");
            if (Array.IndexOf(comps, c) >= 0) throw Corrupt($"scan names component {id} twice");
            c.DcTable = tables >> 4;
            c.AcTable = tables & 15;
            if (c.DcTable > 3 || c.AcTable > 3) throw Corrupt("bad Huffman table index in SOS");
            comps[i] = c;
        }
        int ss = s[1 + 2 * ns], se = s[2 + 2 * ns], ah = s[3 + 2 * ns] >> 4, al = s[3 + 2 * ns] & 15;
        if (_progressive)
        {
            bool bad = ss == 0 ? se != 0 : se < ss || se > 63 || ns != 1;
            if (bad || ah > 13 || al > 13) throw Corrupt($"bad progressive scan parameters (Ss={ss} Se={se} Ah={ah} Al={al})");
        }
        else
        {
            ss = 0; se = 63; ah = 0; al = 0;
        }
        foreach (var c in comps)
        {
            bool needDc = ss == 0 && ah == 0, needAc = ss > 0 || !_progressive;
            if (needDc && _dcTables[c.DcTable] is null) throw Corrupt($"Huffman DC table {c.DcTable} is not defined");
            if (needAc && _acTables[c.AcTable] is null) throw Corrupt($"Huffman AC table {c.AcTable} is not defined");
            if (c.Quant is null)
            {
                var q = _quant[c.QuantIndex] ?? throw Corrupt($"quantization table {c.QuantIndex} is not defined");
                c.Quant = Pinned<int>(64);
                q.CopyTo(c.Quant, 0);
            }
        }
        // Each scan walks every block of its components: cap them so a small file cannot make
        // thousands of passes over a large image (real encoders write at most a few dozen).
        if (++_scanCount > MaxScans) throw Corrupt($"more than {MaxScans} scans");
        if (!_allocated) Allocate(frame, comps);
        // A direct-decoded file has already produced its image; a later scan (invalid in a
        // sequential file) is skipped, its entropy data passed over by the marker search.
        if (!(_direct && _sawScan)) DecodeScan(comps, ss, se, ah, al);
        _sawScan = true;
    }
}
