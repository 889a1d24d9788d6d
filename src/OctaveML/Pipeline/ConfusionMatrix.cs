using System.Globalization;
using System.Text;

namespace OctaveML.Pipeline;

/// <summary>
/// The confusion matrix of a multiclass evaluation (ML.NET's <c>ConfusionMatrix</c>): rows are the true
/// classes, columns the predicted ones, both in key order (class index 0 = key 1).
/// </summary>
public sealed class ConfusionMatrix
{
    private readonly double[][] _counts;
    private readonly string[] _classNames;

    internal ConfusionMatrix(double[][] counts, IReadOnlyList<string> classNames)
    {
        _counts = counts;
        _classNames = classNames.ToArray();
        int k = counts.Length;
        var precision = new double[k];
        var recall = new double[k];
        for (int c = 0; c < k; c++)
        {
            double truth = counts[c].Sum(), predicted = 0;
            for (int r = 0; r < k; r++) predicted += counts[r][c];
            // A class never predicted (or never present) gets 0, as ML.NET reports it.
            precision[c] = predicted > 0 ? counts[c][c] / predicted : 0;
            recall[c] = truth > 0 ? counts[c][c] / truth : 0;
        }
        PerClassPrecision = precision;
        PerClassRecall = recall;
        Counts = counts.Select(r => (IReadOnlyList<double>)r.ToArray()).ToArray();
    }

    /// <summary>Precision of each class: correct predictions of it over all predictions of it (0 if never predicted).</summary>
    public IReadOnlyList<double> PerClassPrecision { get; }

    /// <summary>Recall of each class: correct predictions of it over its instances (0 if absent).</summary>
    public IReadOnlyList<double> PerClassRecall { get; }

    /// <summary>Counts[truth][predicted]: instances of class <c>truth</c> predicted as <c>predicted</c>.</summary>
    public IReadOnlyList<IReadOnlyList<double>> Counts { get; }

    /// <summary>Number of classes (rows and columns).</summary>
    public int NumberOfClasses => _counts.Length;

    /// <summary>Class names in key order (the label's key values).</summary>
    public IReadOnlyList<string> ClassNames => _classNames;

    /// <summary>The count of instances of class <paramref name="actualClassIndicatorIndex"/> predicted as <paramref name="predictedClassIndicatorIndex"/>.</summary>
    public double GetCountForClassPair(int predictedClassIndicatorIndex, int actualClassIndicatorIndex)
    {
        if ((uint)predictedClassIndicatorIndex >= (uint)NumberOfClasses)
            throw new ArgumentOutOfRangeException(nameof(predictedClassIndicatorIndex), predictedClassIndicatorIndex, $"must be in [0, {NumberOfClasses}).");
        if ((uint)actualClassIndicatorIndex >= (uint)NumberOfClasses)
            throw new ArgumentOutOfRangeException(nameof(actualClassIndicatorIndex), actualClassIndicatorIndex, $"must be in [0, {NumberOfClasses}).");
        return _counts[actualClassIndicatorIndex][predictedClassIndicatorIndex];
    }

    /// <summary>
    /// The matrix as a text table in ML.NET's layout: one row per true class with its recall, a last
    /// row with each predicted class's precision.
    /// </summary>
    public string GetFormattedConfusionTable()
    {
        var inv = CultureInfo.InvariantCulture;
        int k = NumberOfClasses;
        string[] names = _classNames.Length == k ? _classNames : Enumerable.Range(0, k).Select(i => i.ToString(inv)).ToArray();
        int labelWidth = Math.Max(9, names.Max(n => n.Length));
        int cell = Math.Max(6, Math.Max(names.Max(n => n.Length), _counts.SelectMany(r => r).Select(v => v.ToString("0", inv).Length).DefaultIfEmpty(1).Max()));
        var sb = new StringBuilder();
        string rule = new string(' ', labelWidth) + " ||" + new string('=', (cell + 3) * k + 7);
        sb.AppendLine("Confusion table");
        sb.AppendLine(rule);
        sb.Append("PREDICTED".PadRight(labelWidth)).Append(" ||");
        foreach (var n in names) sb.Append(' ').Append(n.PadLeft(cell)).Append(" |");
        sb.AppendLine(" Recall");
        sb.Append("TRUTH".PadRight(labelWidth)).Append(" ||").AppendLine(new string('=', (cell + 3) * k + 7));
        for (int r = 0; r < k; r++)
        {
            sb.Append(names[r].PadLeft(labelWidth)).Append(" ||");
            for (int c = 0; c < k; c++) sb.Append(' ').Append(_counts[r][c].ToString("0", inv).PadLeft(cell)).Append(" |");
            sb.Append(' ').AppendLine(PerClassRecall[r].ToString("0.0000", inv));
        }
        sb.AppendLine(rule);
        sb.Append("Precision".PadRight(labelWidth)).Append(" ||");
        for (int c = 0; c < k; c++) sb.Append(' ').Append(PerClassPrecision[c].ToString("0.0000", inv).PadLeft(cell)).Append(" |");
        sb.AppendLine();
        return sb.ToString();
    }
}
