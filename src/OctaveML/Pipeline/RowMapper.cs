using System.Reflection;

namespace OctaveML.Pipeline;

/// <summary>Maps the public properties of a .NET class to data view columns and back, by name or [ColumnName].</summary>
internal static class RowMapper
{
    public sealed record Member(PropertyInfo Property, string ColumnName, DataViewType? Type);

    public static IReadOnlyList<Member> Members(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.GetCustomAttribute<NoColumnAttribute>() is null)
            .Select(p =>
            {
                string name = p.GetCustomAttribute<ColumnNameAttribute>()?.Name ?? p.Name;
                var t = DataViewType.FromRawType(p.PropertyType);
                if (t is VectorDataViewType v && p.GetCustomAttribute<VectorTypeAttribute>() is { } shape)
                    t = new VectorDataViewType(v.ItemType, shape.Dimensions);
                return new Member(p, name, t);
            })
            .ToArray();

    /// <summary>The schema of a class's readable properties (a property of an unsupported type is an error naming it).</summary>
    public static (DataViewSchema Schema, Member[] Members) InputSchema(Type type)
    {
        var members = Members(type).Where(m => m.Property.CanRead).ToArray();
        var builder = new DataViewSchema.Builder();
        foreach (var m in members)
        {
            if (m.Type is null)
                throw new ArgumentException($"property {type.Name}.{m.Property.Name} has type {m.Property.PropertyType.Name}, which no column can hold; use string, bool, float, double, int, long, uint, byte, float[], byte[] or Image, or mark it [NoColumn].");
            builder.AddColumn(m.ColumnName, m.Type);
        }
        if (members.Length == 0) throw new ArgumentException($"type {type.Name} has no public readable properties to make columns of.");
        return (builder.ToSchema(), members);
    }

    /// <summary>
    /// A function filling a new <typeparamref name="T"/> from a row of <paramref name="schema"/>: every
    /// writable property takes the column of its name, which must exist (unless ignoreMissingColumns) and have its type.
    /// </summary>
    public static Func<object?[], T> Reader<T>(DataViewSchema schema, bool ignoreMissingColumns = false) where T : class, new()
    {
        var bindings = new List<(PropertyInfo Property, int Index)>();
        foreach (var m in Members(typeof(T)).Where(m => m.Property.CanWrite))
        {
            var column = schema.GetColumnOrNull(m.ColumnName);
            if (column is null)
            {
                if (ignoreMissingColumns) continue;
                throw schema.MissingColumn(m.ColumnName, "TOutput", $"{typeof(T).Name}.{m.Property.Name}'s");
            }
            if (m.Property.PropertyType != column.Type.RawType)
                throw new ArgumentException($"property {typeof(T).Name}.{m.Property.Name} is {m.Property.PropertyType.Name} but column '{column.Name}' holds {column.Type.RawType.Name} ({column.Type}); change the property's type{(column.Type is KeyDataViewType ? " or convert the key with MapKeyToValue" : "")}.");
            bindings.Add((m.Property, column.Index));
        }
        return row =>
        {
            var item = new T();
            foreach (var (p, i) in bindings) p.SetValue(item, row[i]);
            return item;
        };
    }
}
