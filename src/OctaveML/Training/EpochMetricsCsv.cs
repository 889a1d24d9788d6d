using System.Globalization;
using System.Text;

namespace OctaveML.Training;

/// <summary>
/// A run's per-epoch figures as CSV (<c>epoch,train_loss,train_accuracy,validation_loss,validation_accuracy,learning_rate</c>,
/// empty cells where there was no validation), so curves can be plotted and compared after the run.
/// </summary>
public static class EpochMetricsCsv
{
    /// <summary>The header line.</summary>
    public const string Header = "epoch,train_loss,train_accuracy,validation_loss,validation_accuracy,learning_rate";

    /// <summary>The CSV text of <paramref name="history"/> (invariant culture, round-trip precision).</summary>
    public static string Format(IEnumerable<EpochMetrics> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var sb = new StringBuilder(Header).Append('\n');
        foreach (var m in history)
            sb.Append(CultureInfo.InvariantCulture, $"{m.Epoch},{R(m.TrainLoss)},{R(m.TrainAccuracy)},{R(m.ValidationLoss)},{R(m.ValidationAccuracy)},{R(m.LearningRate)}\n");
        return sb.ToString();
    }

    /// <summary>Writes <paramref name="history"/> to <paramref name="path"/> (replaced whole, so a reader never sees half a file).</summary>
    public static void Write(string path, IEnumerable<EpochMetrics> history)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string tmp = path + ".tmp";
        File.WriteAllText(tmp, Format(history));
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Reads a file <see cref="Write"/> wrote; a malformed line is a <see cref="FormatException"/> naming the file and line.</summary>
    public static IReadOnlyList<EpochMetrics> Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0].Trim() != Header)
            throw new FormatException($"{path}: the first line is not the epoch-metrics header '{Header}'.");
        var history = new List<EpochMetrics>();
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            var f = lines[i].Split(',');
            if (f.Length != 6) throw new FormatException($"{path}:{i + 1}: expected 6 comma-separated fields, got {f.Length}.");
            try
            {
                history.Add(new EpochMetrics(int.Parse(f[0], CultureInfo.InvariantCulture), D(f[1]), D(f[2]), N(f[3]), N(f[4]), D(f[5])));
            }
            catch (FormatException e)
            {
                throw new FormatException($"{path}:{i + 1}: {e.Message}", e);
            }
        }
        return history;
    }

    private static string R(double? x) => x is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : "";
    private static double D(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
    private static double? N(string s) => s.Length == 0 ? null : D(s);
}
