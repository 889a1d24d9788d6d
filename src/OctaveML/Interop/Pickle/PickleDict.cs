using System.Numerics;

namespace OctaveML.Interop.Pickle;

/// <summary>
/// A Python dict (or OrderedDict) read from a pickle: items in insertion order, keys compared as
/// Python compares them (1 == 1.0 == True; a re-set key keeps its place). Keys are scalars (None,
/// bool, int, float, str, bytes) or flat tuples of scalars; anything else is refused as data no
/// state dict holds.
/// </summary>
internal sealed class PickleDict
{
    private static readonly object NoneKey = new();
    private readonly List<KeyValuePair<object?, object?>> _items = new();
    private readonly Dictionary<object, int> _index = new(KeyComparer.Instance);

    /// <summary>The number of items.</summary>
    public int Count => _items.Count;

    /// <summary>The items in insertion order.</summary>
    public IReadOnlyList<KeyValuePair<object?, object?>> Items => _items;

    /// <summary>d[key] = value.</summary>
    public void Set(object? key, object? value)
    {
        object k = Normalize(key);
        if (_index.TryGetValue(k, out int i)) _items[i] = new(_items[i].Key, value);
        else
        {
            _index.Add(k, _items.Count);
            _items.Add(new(key, value));
        }
    }

    /// <summary>d.get(key).</summary>
    public bool TryGetValue(object? key, out object? value)
    {
        if (_index.TryGetValue(Normalize(key), out int i)) { value = _items[i].Value; return true; }
        value = null;
        return false;
    }

    private static object Normalize(object? key) => key switch
    {
        object?[] tuple => tuple.Select(NormalizeScalar).ToArray(),
        _ => NormalizeScalar(key),
    };

    // Python's numeric equality: bool and integral floats hash as the int of the same value.
    private static object NormalizeScalar(object? key) => key switch
    {
        null => NoneKey,
        bool b => b ? 1L : 0L,
        long or string => key,
        BigInteger n => n >= long.MinValue && n <= long.MaxValue ? (long)n : n,
        double d => Math.Floor(d) == d && d >= long.MinValue && d < 9.2233720368547758e18 ? (long)d : d,
        byte[] bytes => Convert.ToHexString(bytes) + "\0bytes",
        _ => throw new InvalidDataException($"a dict key of type {PickleValues.TypeName(key)} (state dicts use str and int keys)."),
    };

    private sealed class KeyComparer : IEqualityComparer<object>
    {
        public static readonly KeyComparer Instance = new();

        public new bool Equals(object? x, object? y) => (x, y) switch
        {
            (object[] a, object[] b) => a.AsSpan().SequenceEqual(b),
            (object[], _) or (_, object[]) => false,
            _ => object.Equals(x, y),
        };

        public int GetHashCode(object obj)
        {
            if (obj is not object[] a) return obj.GetHashCode();
            var h = new HashCode();
            foreach (var e in a) h.Add(e);
            return h.ToHashCode();
        }
    }
}
