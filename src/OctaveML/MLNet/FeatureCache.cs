using OctaveML.Data;

namespace OctaveML.MLNet;

/// <summary>
/// The images of a feature column, held compactly for the epochs of training: one byte per value
/// (a <see cref="PixelPalette"/> code) while every channel has at most 256 distinct values, which is
/// what ExtractPixels produces with any offset and scale; float32 otherwise (e.g. features that
/// another transform made continuous), converting what was already read. Either way
/// <see cref="GetImage"/> returns exactly the values read. Storage grows in chunks of about 16 MB, so
/// that an unknown row count never means copying the whole cache.
/// </summary>
internal sealed class FeatureCache : IImageDataset
{
    private const int ChunkBytes = 16 << 20;
    private readonly ImageShape _shape;
    private readonly string[] _classNames;
    private readonly int _perChunk;
    private readonly PixelPalette _palette;
    private readonly List<byte[]> _byteChunks = new();
    private readonly List<float[]> _floatChunks = new();
    private readonly List<int> _labels = new();
    private readonly byte[] _codes;
    private bool _sealed;

    public FeatureCache(ImageShape shape, IReadOnlyList<string> classNames)
    {
        _shape = shape;
        _classNames = classNames.ToArray();
        _perChunk = Math.Max(1, ChunkBytes / shape.Size);
        _palette = new PixelPalette(shape.Channels);
        _codes = new byte[shape.Size];
    }

    /// <summary>True while the cache holds byte codes, false once it fell back to float32.</summary>
    public bool IsBytes { get; private set; } = true;

    /// <summary>Why the cache holds float32 (null while it holds bytes).</summary>
    public string? FallbackReason { get; private set; }

    /// <summary>Bytes of pixel storage allocated.</summary>
    public long SizeInBytes => IsBytes ? _byteChunks.Sum(c => (long)c.Length) : _floatChunks.Sum(c => (long)c.Length * sizeof(float));

    public int Count => _labels.Count;
    public int Channels => _shape.Channels;
    public int Height => _shape.Height;
    public int Width => _shape.Width;
    public IReadOnlyList<string> ClassNames => _classNames;
    public int GetLabel(int index) => _labels[index];

    /// <summary>Appends one image (planar, <see cref="ImageShape.Size"/> finite values) and its class index. Not thread-safe.</summary>
    public void Add(ReadOnlySpan<float> chw, int label)
    {
        if (_sealed) throw new InvalidOperationException("the cache is sealed: reading has ended.");
        if (chw.Length != _shape.Size) throw new ArgumentException($"an image of {_shape} has {_shape.Size} values; got {chw.Length}.", nameof(chw));
        int n = _labels.Count, slot = n % _perChunk;
        if (IsBytes)
        {
            int plane = _shape.Height * _shape.Width;
            for (int c = 0; c < _shape.Channels; c++)
            {
                if (_palette.TryEncode(c, chw.Slice(c * plane, plane), _codes.AsSpan(c * plane, plane))) continue;
                FallBackToFloat($"channel {c} of image {n} brings more than {PixelPalette.Codes} distinct values");
                break;
            }
        }
        if (IsBytes)
        {
            if (slot == 0) _byteChunks.Add(new byte[(long)_perChunk * _shape.Size]);
            _codes.CopyTo(_byteChunks[^1].AsSpan(slot * _shape.Size, _shape.Size));
        }
        else
        {
            if (slot == 0) _floatChunks.Add(new float[(long)_perChunk * _shape.Size]);
            chw.CopyTo(_floatChunks[^1].AsSpan(slot * _shape.Size, _shape.Size));
        }
        _labels.Add(label);
    }

    /// <summary>Ends reading: the last chunk shrinks to the images it holds.</summary>
    public void Seal()
    {
        _sealed = true;
        int used = _labels.Count % _perChunk * _shape.Size;
        if (used == 0) return;
        if (IsBytes) _byteChunks[^1] = _byteChunks[^1][..used];
        else _floatChunks[^1] = _floatChunks[^1][..used];
    }

    /// <summary>Writes image <paramref name="index"/>, exactly as read. Safe from several threads once reading is done.</summary>
    public void GetImage(int index, Span<float> chw)
    {
        if ((uint)index >= (uint)_labels.Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"index must be in [0, {_labels.Count}).");
        int size = _shape.Size, chunk = index / _perChunk, at = index % _perChunk * size;
        if (!IsBytes)
        {
            _floatChunks[chunk].AsSpan(at, size).CopyTo(chw);
            return;
        }
        Decode(_byteChunks[chunk].AsSpan(at, size), chw);
    }

    private void Decode(ReadOnlySpan<byte> codes, Span<float> chw)
    {
        int plane = _shape.Height * _shape.Width;
        for (int c = 0; c < _shape.Channels; c++)
            _palette.Decode(c, codes.Slice(c * plane, plane), chw.Slice(c * plane, plane));
    }

    /// <summary>Turns the byte chunks read so far into float chunks (exact: the palette holds the values).</summary>
    private void FallBackToFloat(string reason)
    {
        int size = _shape.Size;
        for (int k = 0; k < _byteChunks.Count; k++)
        {
            var floats = new float[_byteChunks[k].Length];
            int images = Math.Min(_perChunk, _labels.Count - k * _perChunk);
            for (int i = 0; i < images; i++)
                Decode(_byteChunks[k].AsSpan(i * size, size), floats.AsSpan(i * size, size));
            _floatChunks.Add(floats);
            _byteChunks[k] = [];
        }
        _byteChunks.Clear();
        IsBytes = false;
        FallbackReason = reason;
    }
}
