using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace OctaveML.MLNet;

/// <summary>Which columns to read and how to treat image files (from the trainer's options).</summary>
internal sealed record FeatureReadSettings(
    string FeatureColumnName, string LabelColumnName, string? ImagePathColumnName, string? ImageFolder, InvalidImageHandling InvalidImages);

/// <summary>What <see cref="FeatureReader.Read"/> found.</summary>
internal sealed record FeatureReadResult(FeatureCache Cache, IReadOnlyList<InvalidImage> Skipped, long UnlabelledRows, int UncheckedFiles, int CheckedFiles);

/// <summary>
/// Reads a data view's feature and label columns once, through a cursor, into a <see cref="FeatureCache"/>.
/// When the data has an image path column, every distinct file is first decoded with SkiaSharp in
/// parallel (<see cref="ImageFileCheck"/>): bad files throw one <see cref="InvalidImageException"/>
/// naming them all before any pixel is read, or are skipped and reported row by row. An error the
/// pipeline raises while making a row's features is treated the same way, naming the row's file.
/// Rows without a label (key 0, a value MapValueToKey did not know) are left out and counted.
/// </summary>
internal static class FeatureReader
{
    public static FeatureReadResult Read(IDataView data, string dataName, ImageShape shape, IReadOnlyList<string> classNames,
        FeatureReadSettings settings, Action<ImageClassificationMetric>? report, CancellationToken cancellationToken)
    {
        var schema = data.Schema;
        var pathColumn = TrainingColumns.ImagePath(schema, settings.ImagePathColumnName, dataName);
        var bad = new Dictionary<string, (string File, string Reason)>(StringComparer.Ordinal);
        int unchecked_ = 0, checkedFiles = 0;
        if (pathColumn is { } pc)
        {
            (bad, checkedFiles, unchecked_) = CheckFiles(data, pc, settings.ImageFolder, cancellationToken);
            if (bad.Count > 0 && settings.InvalidImages == InvalidImageHandling.Throw)
                throw new InvalidImageException(FirstRows(data, pc, bad, dataName));
        }

        var pass = new Pass(data, dataName, shape, classNames, settings, pathColumn, bad, report, cancellationToken);
        pass.Run();
        pass.Cache.Seal();
        return new FeatureReadResult(pass.Cache, pass.Skipped, pass.Unlabelled, unchecked_, checkedFiles);
    }

    /// <summary>One read of the rows into the cache, over as many cursors as failures need.</summary>
    private sealed class Pass(IDataView data, string dataName, ImageShape shape, IReadOnlyList<string> classNames, FeatureReadSettings settings,
        DataViewSchema.Column? pathColumn, Dictionary<string, (string File, string Reason)> bad,
        Action<ImageClassificationMetric>? report, CancellationToken ct)
    {
        public FeatureCache Cache { get; } = new(shape, classNames);
        public List<InvalidImage> Skipped { get; } = new();
        public long Unlabelled { get; private set; }

        private readonly DataViewSchema.Column[] _columns = pathColumn is { } p
            ? [data.Schema[settings.FeatureColumnName], data.Schema[settings.LabelColumnName], p]
            : [data.Schema[settings.FeatureColumnName], data.Schema[settings.LabelColumnName]];
        private readonly float[] _dense = new float[shape.Size];

        /// <summary>
        /// Reads every row, going on from a fresh cursor after a skipped failure: a getter that threw
        /// may leave the pipeline's per-row state unusable.
        /// </summary>
        public void Run()
        {
            for (long start = 0; start >= 0;)
            {
                using var cursor = SerialCursor();
                start = Read(cursor, start);
            }
        }

        /// <summary>Reads rows from <paramref name="start"/> on; -1 at the end, else the row after a skipped failure.</summary>
        private long Read(DataViewRowCursor cursor, long start)
        {
            for (long r = 0; r < start; r++)
                if (!cursor.MoveNext()) throw new InvalidOperationException($"{dataName} has fewer rows on another pass ({r}) than on the first ({start}).");
            var getFeatures = cursor.GetGetter<VBuffer<float>>(_columns[0]);
            var getLabel = cursor.GetGetter<uint>(_columns[1]);
            var getPath = pathColumn is { } pc ? cursor.GetGetter<ReadOnlyMemory<char>>(pc) : null;
            VBuffer<float> values = default;
            ReadOnlyMemory<char> pathText = default;
            uint key = 0;
            for (long row = start; ; row++)
            {
                ct.ThrowIfCancellationRequested();
                try
                {
                    if (!cursor.MoveNext()) return -1;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Without an image column ML.NET may make rows ahead on worker threads; the failing one is not known.
                    throw new InvalidImageException([new InvalidImage(FileOf(e, null, null), row,
                        $"{Describe(e)} (at this row or one of the rows just after it)", dataName)], e);
                }
                string? path = null;
                if (getPath is not null)
                {
                    getPath(ref pathText);
                    path = pathText.ToString();
                    if (bad.TryGetValue(path, out var b))
                    {
                        Skip(new InvalidImage(b.File, row, b.Reason, dataName));
                        continue;
                    }
                }
                getLabel(ref key);
                if (key == 0) { Unlabelled++; continue; }
                if (key > classNames.Count)
                    throw new InvalidOperationException($"row {row} of {dataName} has label key {key}; column '{settings.LabelColumnName}' declares {classNames.Count} keys.");
                try
                {
                    getFeatures(ref values);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    var image = new InvalidImage(FileOf(e, path, settings.ImageFolder), row, Describe(e), dataName);
                    if (settings.InvalidImages == InvalidImageHandling.Throw) throw new InvalidImageException([image], e);
                    Skip(image);
                    return row + 1;
                }
                string where = path is null ? $"row {row} of {dataName}" : $"row {row} ('{path}') of {dataName}";
                if (values.Length != shape.Size)
                    throw new InvalidOperationException($"{where} has {values.Length} values in column '{settings.FeatureColumnName}', which declares {shape} = {shape.Size}.");
                values.CopyTo(_dense);
                if (!TensorPrimitives.IsFiniteAll<float>(_dense))
                    throw new InvalidOperationException($"{where} holds NaN or infinity in column '{settings.FeatureColumnName}'.");
                Cache.Add(_dense, (int)key - 1);
            }
        }

        private void Skip(InvalidImage image)
        {
            Skipped.Add(image);
            report?.Invoke(new ImageClassificationMetric(skippedImage: image));
        }

        /// <summary>
        /// A cursor that makes each row on this thread, when its getters are called: asking for an image
        /// column too (which ML.NET cannot pass between threads) keeps ML.NET from making rows ahead on
        /// worker threads. Those make every row whether its getters are called or not (so a skipped bad
        /// file is decoded anyway), report a failure in MoveNext without saying which row it was, and
        /// measured slower and heavier here: 24 s and 560 MB of managed heap to read 1,500 images at
        /// 224 px, against 11 s and 180 MB on this thread.
        /// </summary>
        private DataViewRowCursor SerialCursor() => data.GetRowCursor(_columns.Concat(data.Schema.Where(IsImage)).Distinct());
    }

    /// <summary>Decodes every distinct file once, in parallel: the bad ones by path text, and how many were checked or could not be.</summary>
    private static (Dictionary<string, (string File, string Reason)> Bad, int Checked, int Unchecked) CheckFiles(
        IDataView data, DataViewSchema.Column pathColumn, string? imageFolder, CancellationToken ct)
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        using (var cursor = data.GetRowCursor([pathColumn]))
        {
            var get = cursor.GetGetter<ReadOnlyMemory<char>>(pathColumn);
            ReadOnlyMemory<char> text = default;
            while (cursor.MoveNext())
            {
                ct.ThrowIfCancellationRequested();
                get(ref text);
                paths.Add(text.ToString());
            }
        }
        var bad = new ConcurrentDictionary<string, (string, string)>(StringComparer.Ordinal);
        var toCheck = new List<(string Text, string File)>();
        int unresolved = 0;
        foreach (var text in paths)
        {
            if (string.IsNullOrWhiteSpace(text)) { bad[text] = ("(empty path)", "the path is empty"); continue; }
            if (ImageFileCheck.Resolve(text, imageFolder) is { } file) toCheck.Add((text, file));
            else unresolved++;
        }
        Parallel.ForEach(toCheck, new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = Environment.ProcessorCount }, item =>
        {
            if (ImageFileCheck.Problem(item.File) is { } reason) bad[item.Text] = (item.File, reason);
        });
        return (new Dictionary<string, (string, string)>(bad, StringComparer.Ordinal), toCheck.Count, unresolved);
    }

    /// <summary>Each bad file with the first row that names it, in row order.</summary>
    private static List<InvalidImage> FirstRows(IDataView data, DataViewSchema.Column pathColumn,
        Dictionary<string, (string File, string Reason)> bad, string dataName)
    {
        var found = new List<InvalidImage>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        using var cursor = data.GetRowCursor([pathColumn]);
        var get = cursor.GetGetter<ReadOnlyMemory<char>>(pathColumn);
        ReadOnlyMemory<char> text = default;
        long row = -1;
        while (cursor.MoveNext() && seen.Count < bad.Count)
        {
            row++;
            get(ref text);
            string path = text.ToString();
            if (bad.TryGetValue(path, out var b) && seen.Add(path)) found.Add(new InvalidImage(b.File, row, b.Reason, dataName));
        }
        return found;
    }

    private static bool IsImage(DataViewSchema.Column c) => !c.IsHidden && c.Type is Microsoft.ML.Transforms.Image.ImageDataViewType;

    /// <summary>The type and message of what the pipeline threw, under ML.NET's wrappers.</summary>
    private static string Describe(Exception e)
    {
        while (e.InnerException is not null && e is InvalidOperationException or AggregateException or TargetInvocationException) e = e.InnerException;
        return $"{e.GetType().Name}: {e.Message}";
    }

    /// <summary>The file an error was about: the one it names, else the row's path (resolved when it can be), else null.</summary>
    private static string? FileOf(Exception e, string? path, string? imageFolder)
    {
        for (var x = e; x is not null; x = x.InnerException)
            if (x is FileNotFoundException { FileName: { } f }) return f;
        if (path is null) return null;
        return string.IsNullOrWhiteSpace(path) ? path : ImageFileCheck.Resolve(path, imageFolder) ?? path;
    }
}
