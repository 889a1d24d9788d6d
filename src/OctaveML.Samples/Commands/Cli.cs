using System.CommandLine;
using OctaveML.Data;
using OctaveML.Training;

namespace OctaveML.Samples.Commands;

/// <summary>
/// The command line: builds the root command from the per-command classes and runs it, turning user
/// errors (bad options, missing or malformed files) into one line on the error writer and exit code 2.
/// </summary>
public static class Cli
{
    /// <summary>Exit code of a user error.</summary>
    public const int UsageError = 2;

    /// <summary>The root command (no subcommand = the main job: the ML.NET program on the shipped image folder).</summary>
    public static RootCommand Build(TextWriter output, TextWriter error, bool interactive)
    {
        var root = new RootCommand("OctaveML samples: train and inspect Octave Convolution image classifiers. With no command: the main job, the ML.NET program with an OctMobileNet trainer on the shipped image folder data/fashion-png.");
        var train = TrainCommand.Create(output, error, interactive);
        root.Add(train);
        root.Add(SummaryCommand.Create(output, error));
        root.Add(ExportCommand.Create(output, error));
        root.Add(PipelineCommand.Create(output, error));
        root.Add(FineTuneDemoCommand.Create(output, error));
        root.Add(CurvesCommand.Create(output, error));
        // Running with no subcommand is the README's main job: the ML.NET program (load an image
        // folder, resize, extract pixels, fit, evaluate, save, load, predict) with every default.
        root.SetAction(_ => Guard(error, () =>
        {
            PipelineCommand.Execute(null, PipelineCommand.DefaultSize, PipelineCommand.DefaultEpochs, PipelineCommand.DefaultModelPath, null, output);
            return 0;
        }));
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error, bool interactive = false)
    {
        var root = Build(output, error, interactive);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            error.WriteLine($"error: {Friendly(parsed.Errors[0].Message)}");
            return UsageError;
        }
        return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
    }

    /// <summary>Runs a command body; user errors become exit code 2 with their one-line message.</summary>
    internal static int Guard(TextWriter error, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (IsUserError(e))
        {
            error.WriteLine($"error: {OneLine(e.Message)}");
            return UsageError;
        }
    }

    /// <summary>Turns "as expected type 'System.Nullable`1[System.Int32]'" into "; expected an integer".</summary>
    private static string Friendly(string message) =>
        System.Text.RegularExpressions.Regex.Replace(OneLine(message), @" as expected type '([^']+)'\.?", m =>
            m.Groups[1].Value.Contains("Int32") ? "; expected an integer." :
            m.Groups[1].Value.Contains("Double") ? "; expected a number." :
            m.Groups[1].Value.Contains("Boolean") ? "; expected true or false." : m.Value);

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();

    /// <summary>Errors caused by the command line or the user's files, not by a bug.</summary>
    public static bool IsUserError(Exception e) => e is UsageException or ArgumentException or FileNotFoundException
        or DirectoryNotFoundException or DatasetFormatException or InvalidImageException
        or CheckpointFormatException or UnauthorizedAccessException;
}
