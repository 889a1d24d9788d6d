using System.CommandLine;
using OctaveML.Training;

namespace OctaveML.Samples.Commands;

/// <summary>
/// <c>curves</c>: draws several runs' training curves on one chart (TrainingCurves), from the epochs.csv
/// files <c>train</c> writes beside its checkpoint or model, so that runs compare side by side.
/// </summary>
public static class CurvesCommand
{
    /// <summary>The System.CommandLine command.</summary>
    public static Command Create(TextWriter output, TextWriter error)
    {
        var runs = new Argument<string[]>("runs") { Description = "epochs.csv files, each as NAME=PATH or PATH (named after its folder)", Arity = ArgumentArity.OneOrMore };
        var outPath = new Option<string>("--out") { Description = "the PNG to write", Required = true };
        var width = new Option<int>("--width") { Description = "chart width in pixels", DefaultValueFactory = _ => 1200 };
        var height = new Option<int>("--height") { Description = "chart height in pixels", DefaultValueFactory = _ => 480 };
        var command = new Command("curves", $"Draw the training curves of several runs ({TrainCommand.EpochsCsvName} files) on one chart.") { runs, outPath, width, height };
        command.SetAction(r => Cli.Guard(error, () =>
        {
            Run(r.GetValue(runs)!, r.GetValue(outPath)!, r.GetValue(width), r.GetValue(height), output);
            return 0;
        }));
        return command;
    }

    /// <summary>Reads every run and writes the chart to <paramref name="png"/>; returns the runs' names.</summary>
    public static IReadOnlyList<string> Run(IReadOnlyList<string> runs, string png, int width, int height, TextWriter output)
    {
        if (runs.Count == 0) throw new UsageException("runs: give at least one epochs.csv.");
        if (width < 200 || height < 150) throw new UsageException($"--width, --height: got {width} x {height}; expected at least 200 x 150.");
        var curves = new List<(string Name, IReadOnlyList<EpochMetrics> History)>();
        foreach (string run in runs)
        {
            int eq = run.IndexOf('=');
            string path = eq >= 0 ? run[(eq + 1)..] : run;
            string name = eq >= 0 ? run[..eq] : Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))) ?? path;
            if (!File.Exists(path)) throw new UsageException($"runs: {path} does not exist; expected an {TrainCommand.EpochsCsvName} written by train.");
            IReadOnlyList<EpochMetrics> history;
            try { history = EpochMetricsCsv.Read(path); }
            catch (FormatException e) { throw new UsageException($"runs: {e.Message}"); }
            if (history.Count == 0) throw new UsageException($"runs: {path} has no epochs.");
            curves.Add((name, history));
        }
        string? folder = Path.GetDirectoryName(Path.GetFullPath(png));
        if (folder is not null) Directory.CreateDirectory(folder);
        TrainingCurves.SavePng(png, curves, width, height);
        output.WriteLine($"plot     {Path.GetFullPath(png)} ({string.Join(", ", curves.Select(c => c.Name))})");
        return curves.Select(c => c.Name).ToList();
    }
}
