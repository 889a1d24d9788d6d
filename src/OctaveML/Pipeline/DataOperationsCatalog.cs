using OctaveML.Data;

namespace OctaveML.Pipeline;

/// <summary>Loading, splitting, caching and reading data views (ML.NET's <c>DataOperationsCatalog</c>).</summary>
public sealed class DataOperationsCatalog
{
    private readonly OctaveContext _ctx;

    internal DataOperationsCatalog(OctaveContext ctx) => _ctx = ctx;

    /// <summary>A train/test pair of views (ML.NET's <c>TrainTestData</c>).</summary>
    public sealed class TrainTestData
    {
        internal TrainTestData(IDataView trainSet, IDataView testSet) { TrainSet = trainSet; TestSet = testSet; }

        /// <summary>The training rows.</summary>
        public IDataView TrainSet { get; }

        /// <summary>The test rows.</summary>
        public IDataView TestSet { get; }
    }

    /// <summary>
    /// A view over <paramref name="data"/> read lazily each time the view is read: every public
    /// readable property of <typeparamref name="TRow"/> becomes a column, named by the property or its
    /// [ColumnName]; float[] columns get a fixed shape from [VectorType].
    /// </summary>
    public IDataView LoadFromEnumerable<TRow>(IEnumerable<TRow> data) where TRow : class
    {
        ArgumentNullException.ThrowIfNull(data);
        var (schema, members) = RowMapper.InputSchema(typeof(TRow));
        return new RowView(schema, () => data.Select(item => members.Select(m => m.Property.GetValue(item)).ToArray()),
            () => data is IReadOnlyCollection<TRow> c ? c.Count : data is ICollection<TRow> c2 ? c2.Count : null);
    }

    /// <summary>
    /// A view of the images under <paramref name="imageFolder"/> laid out one folder per class
    /// (<c>photos/cat/1.jpg</c>): columns <c>ImagePath</c> (relative to the folder, to pair with
    /// <c>LoadImages(..., imageFolder, "ImagePath")</c>) and <c>Label</c> (the class folder's name).
    /// Classes and files are in ordinal name order; files of the image extensions
    /// (.jpg .jpeg .png .bmp .pgm .ppm) are listed, other files ignored. Images are not read here.
    /// </summary>
    public IDataView LoadFromImageFolder(string imageFolder)
    {
        ArgumentException.ThrowIfNullOrEmpty(imageFolder);
        string root = Path.GetFullPath(imageFolder);
        if (!Directory.Exists(root))
            throw new DirectoryNotFoundException($"image folder '{root}' does not exist.");
        var rows = new List<object?[]>();
        foreach (var dir in Directory.GetDirectories(root).OrderBy(d => d, StringComparer.Ordinal))
        {
            string label = Path.GetFileName(dir);
            foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
                         .Where(f => ImageFolderOptions.ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                         .OrderBy(f => f, StringComparer.Ordinal))
                rows.Add([Path.GetRelativePath(root, file), label]);
        }
        if (rows.Count == 0)
            throw new ArgumentException($"image folder '{root}' holds no images: expected one sub-folder per class holding image files ({string.Join(" ", ImageFolderOptions.ImageExtensions)}).", nameof(imageFolder));
        var schema = new DataViewSchema.Builder()
            .AddColumn("ImagePath", TextDataViewType.Instance).AddColumn("Label", TextDataViewType.Instance).ToSchema();
        return new RowView(schema, () => rows, () => rows.Count);
    }

    /// <summary>
    /// A view of an image manifest, a CSV or TSV file of <c>path,label</c> rows (tab or comma
    /// detected; an optional header row such as <c>path,label</c> or <c>image,class</c> places the
    /// columns; quoted fields allowed): columns <c>ImagePath</c> (full path, relative paths taken
    /// from the manifest's folder) and <c>Label</c>. Use <c>LoadImages(..., imageFolder: null, "ImagePath")</c>.
    /// </summary>
    public IDataView LoadFromTextFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var entries = ImageManifest.Read(path);
        if (entries.Count == 0) throw DatasetFormatException.AtLine(Path.GetFullPath(path), 1, "the manifest lists no images; expected path,label rows.");
        var rows = entries.Select(e => new object?[] { e.Path, e.Label }).ToArray();
        var schema = new DataViewSchema.Builder()
            .AddColumn("ImagePath", TextDataViewType.Instance).AddColumn("Label", TextDataViewType.Instance).ToSchema();
        return new RowView(schema, () => rows, () => rows.Length);
    }

    /// <summary>
    /// Splits <paramref name="data"/> into train and test views. When the view has a
    /// <paramref name="stratificationColumnName"/> column (default "Label"), each label value is split
    /// on its own, so both sides keep the class proportions (round(n * testFraction) of each class, halves up, go to test);
    /// otherwise round(rows * testFraction) random rows do. Rows keep their order within each side.
    /// With <paramref name="samplingKeyColumnName"/>, rows sharing that column's value stay on the
    /// same side (and stratification is off). <paramref name="seed"/> defaults to one drawn from the context.
    /// </summary>
    public TrainTestData TrainTestSplit(IDataView data, double testFraction = 0.1, string? samplingKeyColumnName = null,
        int? seed = null, string? stratificationColumnName = "Label")
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!(testFraction > 0 && testFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "testFraction must be in (0, 1).");
        int s = seed ?? _ctx.NextSeed();
        int? keyIndex = samplingKeyColumnName is null ? null : data.Schema.GetColumnOrNull(samplingKeyColumnName)?.Index
            ?? throw data.Schema.MissingColumn(samplingKeyColumnName, nameof(samplingKeyColumnName), "sampling key");
        int? strataIndex = keyIndex is null && stratificationColumnName is not null ? data.Schema.GetColumnOrNull(stratificationColumnName)?.Index : null;

        var groups = new List<object?>();
        foreach (var row in data.Rows())
            groups.Add(keyIndex is { } k ? Format(row[k]) : strataIndex is { } st ? Format(row[st]) : null);
        if (groups.Count == 0) throw new ArgumentException("the data has no rows to split.", nameof(data));

        var isTest = new bool[groups.Count];
        var rng = new Random(s);
        if (keyIndex is not null)
        {
            // Whole groups go to one side: shuffle the distinct keys, take the first share of them.
            var keys = groups.Distinct().ToArray();
            rng.Shuffle(keys);
            var testKeys = keys.Take((int)Math.Floor(keys.Length * testFraction + 0.5)).ToHashSet();
            for (int i = 0; i < groups.Count; i++) isTest[i] = testKeys.Contains(groups[i]);
        }
        else
        {
            foreach (var stratum in Enumerable.Range(0, groups.Count).GroupBy(i => groups[i]).OrderBy(g => g.Key?.ToString(), StringComparer.Ordinal))
            {
                int[] members = stratum.ToArray();
                rng.Shuffle(members);
                int nTest = (int)Math.Floor(members.Length * testFraction + 0.5);
                for (int j = 0; j < nTest; j++) isTest[members[j]] = true;
            }
        }
        int testCount = isTest.Count(t => t);
        return new TrainTestData(Filter(data, isTest, false, groups.Count - testCount), Filter(data, isTest, true, testCount));

        static object? Format(object? value) => value switch { float[] or byte[] => null, _ => value };
    }

    private static RowView Filter(IDataView data, bool[] isTest, bool test, long count) =>
        new(data.Schema, () => data.Rows().Where((_, i) => i < isTest.Length && isTest[i] == test), () => count);

    /// <summary>
    /// A view that reads <paramref name="input"/> once, on first use, and keeps its rows in memory
    /// (decoded images and pixels included, so cache after the expensive transforms when they fit).
    /// </summary>
    public IDataView Cache(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var rows = new Lazy<object?[][]>(() => input.Rows().ToArray(), LazyThreadSafetyMode.ExecutionAndPublication);
        return new RowView(input.Schema, () => rows.Value, () => rows.IsValueCreated ? rows.Value.Length : input.GetRowCount());
    }

    /// <summary>
    /// The rows of <paramref name="input"/> in a random order drawn from <paramref name="seed"/>
    /// (default: from the context); the same each time the view is read.
    /// </summary>
    public IDataView ShuffleRows(IDataView input, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        int s = seed ?? _ctx.NextSeed();
        return new RowView(input.Schema, () =>
        {
            var rows = input.Rows().ToArray();
            new Random(s).Shuffle(rows);
            return rows;
        }, input.GetRowCount);
    }

    /// <summary>
    /// The rows of <paramref name="data"/> as <typeparamref name="TRow"/> objects: each writable property
    /// takes the column of its name (or [ColumnName]), of the same .NET type (string, float, uint for keys, float[], Image...).
    /// A missing column is an error naming it and the view's columns, unless <paramref name="ignoreMissingColumns"/>.
    /// </summary>
    public IEnumerable<TRow> CreateEnumerable<TRow>(IDataView data, bool reuseRowObject = false, bool ignoreMissingColumns = false)
        where TRow : class, new()
    {
        ArgumentNullException.ThrowIfNull(data);
        _ = reuseRowObject; // a fresh object per row is always safe; kept for ML.NET's signature
        var read = RowMapper.Reader<TRow>(data.Schema, ignoreMissingColumns);
        return data.Rows().Select(read);
    }

    /// <summary>The first <paramref name="count"/> rows of <paramref name="input"/> (ML.NET's <c>TakeRows</c>).</summary>
    public IDataView TakeRows(IDataView input, long count)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return new RowView(input.Schema, () => input.Rows().Take((int)Math.Min(count, int.MaxValue)),
            () => input.GetRowCount() is { } n ? Math.Min(n, count) : null);
    }
}
