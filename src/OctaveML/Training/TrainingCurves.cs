using ScottPlot;

namespace OctaveML.Training;

/// <summary>
/// Loss and accuracy per epoch as a picture: two panels (loss, accuracy), a solid line for training
/// and a dashed one for validation, one colour per run, so several runs compare on one chart.
/// </summary>
public static class TrainingCurves
{
    /// <summary>Saves the chart of <paramref name="runs"/> (name and history each) as a PNG file.</summary>
    public static void SavePng(string path, IReadOnlyList<(string Name, IReadOnlyList<EpochMetrics> History)> runs, int width = 1200, int height = 480)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        File.WriteAllBytes(path, ToPng(runs, width, height));
    }

    /// <summary>The chart of <paramref name="runs"/> as PNG bytes (for a notebook's display or a file).</summary>
    public static byte[] ToPng(IReadOnlyList<(string Name, IReadOnlyList<EpochMetrics> History)> runs, int width = 1200, int height = 480)
    {
        ArgumentNullException.ThrowIfNull(runs);
        if (runs.Count == 0) throw new ArgumentException("there are no runs to plot.", nameof(runs));
        foreach (var (name, history) in runs)
            if (history is null || history.Count == 0) throw new ArgumentException($"run '{name}' has no epochs to plot.", nameof(runs));
        if (width < 200 || height < 150) throw new ArgumentOutOfRangeException(nameof(width), $"the chart must be at least 200 x 150 pixels, got {width} x {height}.");

        var loss = new Plot();
        var accuracy = new Plot();
        var multiplot = new Multiplot();
        multiplot.Reset(loss); // a new Multiplot starts with a plot of its own
        multiplot.AddPlot(accuracy);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        var palette = new ScottPlot.Palettes.Category10();
        for (int r = 0; r < runs.Count; r++)
        {
            var (name, history) = runs[r];
            var color = palette.GetColor(r);
            string prefix = runs.Count == 1 ? "" : name + " ";
            double[] epochs = history.Select(m => (double)m.Epoch).ToArray();
            Line(loss, epochs, history.Select(m => m.TrainLoss), color, false, prefix + "train");
            Line(accuracy, epochs, history.Select(m => m.TrainAccuracy), color, false, prefix + "train");
            var validated = history.Where(m => m.ValidationLoss is not null).ToArray();
            if (validated.Length == 0) continue;
            double[] vEpochs = validated.Select(m => (double)m.Epoch).ToArray();
            Line(loss, vEpochs, validated.Select(m => m.ValidationLoss!.Value), color, true, prefix + "validation");
            Line(accuracy, vEpochs, validated.Select(m => m.ValidationAccuracy!.Value), color, true, prefix + "validation");
        }
        // Loss falls and accuracy rises: the legends go where the curves end up leaving room.
        Decorate(loss, "Loss", "cross-entropy", Alignment.UpperRight);
        Decorate(accuracy, "Accuracy", "top-1 accuracy", Alignment.LowerRight);
        return multiplot.Render(width, height).GetImageBytes(ImageFormat.Png);
    }

    private static void Line(Plot plot, double[] xs, IEnumerable<double> ys, Color color, bool dashed, string label)
    {
        var s = plot.Add.Scatter(xs, ys.ToArray(), color);
        s.LegendText = label;
        s.LineWidth = 2;
        s.MarkerSize = 5;
        if (dashed) s.LinePattern = LinePattern.Dashed;
    }

    private static void Decorate(Plot plot, string title, string yLabel, Alignment legend)
    {
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel(yLabel);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.ShowLegend(legend);
    }
}
