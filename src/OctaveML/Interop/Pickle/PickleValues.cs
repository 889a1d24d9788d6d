using System.Numerics;

namespace OctaveML.Interop.Pickle;

/// <summary>
/// How <see cref="PickleReader"/> represents Python values: None is null, bool, int as long (or
/// BigInteger beyond 64 bits), float as double, str as string, bytes as byte[], tuple as object?[],
/// list as List&lt;object?&gt;, dict as <see cref="PickleDict"/>; resolvers add their own types.
/// </summary>
internal static class PickleValues
{
    /// <summary>The Python type name of a value, for messages.</summary>
    public static string TypeName(object? value) => value switch
    {
        null => "None",
        bool => "bool",
        long or BigInteger => "int",
        double => "float",
        string => "str",
        byte[] => "bytes",
        object?[] => "tuple",
        List<object?> => "list",
        PickleDict => "dict",
        PickleGlobal g => g.ToString(),
        _ => value.ToString() ?? value.GetType().Name, // a resolver's type names itself
    };

    /// <summary>The type of a value with its article ("an int", "a dict", "None"), for messages.</summary>
    public static string Describe(object? value)
    {
        string name = TypeName(value);
        if (value is null) return name;
        return ("aeiou".Contains(char.ToLowerInvariant(name[0])) ? "an " : "a ") + name;
    }

    /// <summary>An int that fits in 64 bits, or null.</summary>
    public static long? AsInt64(object? value) => value switch
    {
        long n => n,
        BigInteger b when b >= long.MinValue && b <= long.MaxValue => (long)b,
        _ => null,
    };
}
