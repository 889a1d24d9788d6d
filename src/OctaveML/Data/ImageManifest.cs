using System.Globalization;
using System.Text;

namespace OctaveML.Data;

/// <summary>
/// A CSV or TSV list of labelled images: one row per image with its path and label. The delimiter
/// is a tab for ".tsv"/".tab" files, otherwise a tab when the first non-blank line has one, else a
/// comma. Fields may be quoted ("a, b" with "" for a quote). A first row whose fields name the
/// columns (path/file/filename/image/image_path and label/class/category/target) is a header and
/// may put the two columns anywhere; without one, column 1 is the path and column 2 the label.
/// Extra columns are ignored, blank lines skipped. Relative paths are relative to the manifest's
/// folder; on Unix a backslash in a path is read as a folder separator (manifests written on Windows).
/// </summary>
public static class ImageManifest
{
    /// <summary>One row: the resolved full path, the label text, and the 1-based line it came from.</summary>
    public sealed record Entry(string Path, string Label, int Line);

    private static readonly string[] PathHeaders = ["path", "file", "filename", "file_name", "image", "image_path", "imagepath", "filepath", "file_path"];
    private static readonly string[] LabelHeaders = ["label", "class", "category", "target", "class_name", "classname", "label_name"];

    /// <summary>Reads the manifest; a malformed row raises <see cref="DatasetFormatException"/> naming the file and line.</summary>
    public static IReadOnlyList<Entry> Read(string manifestPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(manifestPath);
        string full = System.IO.Path.GetFullPath(manifestPath);
        string folder = System.IO.Path.GetDirectoryName(full)!;
        string[] lines = File.ReadAllLines(full);
        string ext = System.IO.Path.GetExtension(full).ToLowerInvariant();
        char delimiter = ext is ".tsv" or ".tab" ? '\t'
            : lines.FirstOrDefault(l => l.Trim().Length > 0) is { } first && first.Contains('\t') ? '\t' : ',';

        var entries = new List<Entry>();
        int pathCol = 0, labelCol = 1;
        bool sawFirst = false;
        for (int i = 0; i < lines.Length; i++)
        {
            int lineNo = i + 1;
            if (lines[i].Trim().Length == 0) continue;
            var fields = Split(lines[i], delimiter, full, lineNo);
            if (!sawFirst)
            {
                sawFirst = true;
                int p = IndexOfAny(fields, PathHeaders), l = IndexOfAny(fields, LabelHeaders);
                if (p >= 0 && l >= 0) { pathCol = p; labelCol = l; continue; }
            }
            int need = Math.Max(pathCol, labelCol) + 1;
            if (fields.Count < need)
                throw DatasetFormatException.AtLine(full, lineNo,
                    $"{fields.Count} field{(fields.Count == 1 ? "" : "s")}; expected at least {need} separated by {(delimiter == '\t' ? "tabs" : "commas")} (path{(delimiter == '\t' ? "\\t" : ",")}label)");
            string path = fields[pathCol].Trim(), label = fields[labelCol].Trim();
            if (path.Length == 0) throw DatasetFormatException.AtLine(full, lineNo, "empty path; expected an image file path");
            if (label.Length == 0) throw DatasetFormatException.AtLine(full, lineNo, "empty label; expected a class name or number");
            if (System.IO.Path.DirectorySeparatorChar == '/') path = path.Replace('\\', '/');
            entries.Add(new Entry(System.IO.Path.GetFullPath(System.IO.Path.Combine(folder, path)), label, lineNo));
        }
        return entries;
    }

    /// <summary>
    /// Maps label texts to class indices. With <paramref name="classNames"/> given, a label is its
    /// position there (an unknown label is an error naming its line). Otherwise, when every label is a
    /// non-negative integer, label k is class k and the classes are "0" .. max; else the distinct labels
    /// sorted with <see cref="StringComparer.Ordinal"/> are the classes.
    /// </summary>
    public static (int[] Labels, string[] ClassNames) MapLabels(string manifestPath, IReadOnlyList<Entry> entries, IReadOnlyList<string>? classNames = null)
    {
        var labels = new int[entries.Count];
        if (classNames is not null)
        {
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int c = 0; c < classNames.Count; c++) index.TryAdd(classNames[c], c);
            for (int i = 0; i < entries.Count; i++)
                labels[i] = index.TryGetValue(entries[i].Label, out int c) ? c
                    : throw DatasetFormatException.AtLine(manifestPath, entries[i].Line, $"label \"{entries[i].Label}\" is not a known class; expected one of {string.Join(", ", classNames.Take(20))}{(classNames.Count > 20 ? ", ..." : "")}");
            return (labels, classNames.ToArray());
        }
        bool numeric = entries.Count > 0 && entries.All(e => int.TryParse(e.Label, NumberStyles.None, CultureInfo.InvariantCulture, out _));
        if (numeric)
        {
            for (int i = 0; i < entries.Count; i++) labels[i] = int.Parse(entries[i].Label, NumberStyles.None, CultureInfo.InvariantCulture);
            int max = labels.Max();
            if (max >= 100_000)
                throw DatasetFormatException.AtLine(manifestPath, entries[Array.IndexOf(labels, max)].Line, $"numeric label {max}; expected class numbers below 100000");
            return (labels, Enumerable.Range(0, max + 1).Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray());
        }
        var names = entries.Select(e => e.Label).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var map = names.Select((n, c) => (n, c)).ToDictionary(t => t.n, t => t.c, StringComparer.Ordinal);
        for (int i = 0; i < entries.Count; i++) labels[i] = map[entries[i].Label];
        return (labels, names);
    }

    private static int IndexOfAny(List<string> fields, string[] names)
    {
        for (int i = 0; i < fields.Count; i++)
            if (names.Contains(fields[i].Trim().ToLowerInvariant())) return i;
        return -1;
    }

    /// <summary>Splits one line into fields, honouring RFC 4180 quotes.</summary>
    internal static List<string> Split(string line, char delimiter, string file, int lineNo)
    {
        var fields = new List<string>();
        var sb = new StringBuilder();
        int i = 0;
        while (true)
        {
            sb.Clear();
            // Leading spaces before a quote are allowed ("a", "b").
            int start = i;
            while (i < line.Length && line[i] == ' ') i++;
            if (i < line.Length && line[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= line.Length)
                        throw DatasetFormatException.AtLine(file, lineNo, $"quoted field opened at column {start + 1} is not closed; expected a closing \" on the same line");
                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"') { sb.Append('"'); i += 2; continue; }
                        i++;
                        break;
                    }
                    sb.Append(line[i++]);
                }
                while (i < line.Length && line[i] == ' ') i++;
                if (i < line.Length && line[i] != delimiter)
                    throw DatasetFormatException.AtLine(file, lineNo, $"unexpected '{line[i]}' at column {i + 1} after a quoted field; expected '{(delimiter == '\t' ? "\\t" : delimiter)}' or the end of the line");
            }
            else
            {
                i = start;
                while (i < line.Length && line[i] != delimiter) sb.Append(line[i++]);
            }
            fields.Add(sb.ToString());
            if (i >= line.Length) return fields;
            i++; // the delimiter
        }
    }
}
