using Microsoft.ML;
using Microsoft.ML.Data;

namespace OctaveML.Data;

/// <summary>
/// An in-memory image dataset (IDX, CIFAR) as an ML.NET data view with the columns an OctaveML trainer
/// reads: Features, the planar pixels [C, H, W] as floats 0-255 (what ExtractPixels gives without
/// scaling), and Label, a key of the dataset's classes whose key values are the class names.
/// Rows come in file order; the pixels stay bytes until a row is read.
/// </summary>
internal sealed class ImageDatasetDataView : IDataView
{
    /// <summary>The pixel column's name (ML.NET's default feature column).</summary>
    public const string FeaturesColumnName = "Features";

    /// <summary>The class column's name (ML.NET's default label column).</summary>
    public const string LabelColumnName = "Label";

    private readonly InMemoryImageDataset _images;

    public ImageDatasetDataView(InMemoryImageDataset images)
    {
        ArgumentNullException.ThrowIfNull(images);
        _images = images;
        var names = images.ClassNames.Select(n => n.AsMemory()).ToArray();
        var keyValues = new DataViewSchema.Annotations.Builder();
        keyValues.Add("KeyValues", new VectorDataViewType(TextDataViewType.Instance, names.Length),
            (ref VBuffer<ReadOnlyMemory<char>> v) => v = new VBuffer<ReadOnlyMemory<char>>(names.Length, (ReadOnlyMemory<char>[])names.Clone()));
        var schema = new DataViewSchema.Builder();
        schema.AddColumn(FeaturesColumnName, new VectorDataViewType(NumberDataViewType.Single, images.Channels, images.Height, images.Width));
        schema.AddColumn(LabelColumnName, new KeyDataViewType(typeof(uint), names.Length), keyValues.ToAnnotations());
        Schema = schema.ToSchema();
    }

    public DataViewSchema Schema { get; }

    /// <summary>False: rows come in file order (ML.NET's ShuffleRows and TrainTestSplit work on top).</summary>
    public bool CanShuffle => false;

    public long? GetRowCount() => _images.Count;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(this, columnsNeeded);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly ImageDatasetDataView _view;
        private readonly bool[] _active;
        private long _position = -1;

        public Cursor(ImageDatasetDataView view, IEnumerable<DataViewSchema.Column> columnsNeeded)
        {
            _view = view;
            _active = new bool[view.Schema.Count];
            foreach (var c in columnsNeeded) _active[c.Index] = true;
        }

        public override DataViewSchema Schema => _view.Schema;
        public override long Position => _position;
        public override long Batch => 0;
        public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

        public override bool MoveNext()
        {
            if (_position + 1 >= _view._images.Count)
            {
                _position = _view._images.Count;
                return false;
            }
            _position++;
            return true;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() =>
            (ref DataViewRowId id) => id = new DataViewRowId((ulong)Row(), 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!IsColumnActive(column))
                throw new InvalidOperationException($"column '{column.Name}' was not requested when this cursor was made.");
            if (column.Index == 0 && typeof(TValue) == typeof(VBuffer<float>))
            {
                ValueGetter<VBuffer<float>> features = (ref VBuffer<float> v) =>
                {
                    var pixels = _view._images.GetPixels(Row());
                    var editor = VBufferEditor.Create(ref v, pixels.Length);
                    for (int i = 0; i < pixels.Length; i++) editor.Values[i] = pixels[i];
                    v = editor.Commit();
                };
                return (ValueGetter<TValue>)(Delegate)features;
            }
            if (column.Index == 1 && typeof(TValue) == typeof(uint))
            {
                ValueGetter<uint> label = (ref uint key) => key = (uint)_view._images.GetLabel(Row()) + 1; // key 0 means "no value"
                return (ValueGetter<TValue>)(Delegate)label;
            }
            throw new InvalidOperationException(
                $"column '{column.Name}' has type {column.Type}, read as {column.Type.RawType.Name}; it cannot be read as {typeof(TValue).Name}.");
        }

        private int Row() => _position >= 0 && _position < _view._images.Count
            ? (int)_position
            : throw new InvalidOperationException("the cursor is not on a row (call MoveNext first, and only while it returns true).");
    }
}
