using System.CommandLine;
using System.Text.RegularExpressions;

namespace OctaveML.Bench;

/// <summary>Runs a suite's System.CommandLine command: a bad command line or argument is one "error: ..." line and exit code 2.</summary>
public static class SuiteCommand
{
    /// <summary>Exit code of a bad command line.</summary>
    public const int UsageError = 2;

    /// <summary>Parses <paramref name="args"/> and invokes <paramref name="command"/>; its action's <see cref="ArgumentException"/> is a usage error too.</summary>
    public static int Invoke(Command command, string[] args, TextWriter output, TextWriter error)
    {
        var parsed = command.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            error.WriteLine($"error: {Friendly(parsed.Errors[0].Message)}");
            return UsageError;
        }
        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (ArgumentException e)
        {
            error.WriteLine($"error: {OneLine(e.Message)}");
            return UsageError;
        }
    }

    /// <summary>Turns "as expected type 'System.Nullable`1[System.Int32]'" into "; expected an integer".</summary>
    private static string Friendly(string message) =>
        Regex.Replace(OneLine(message), @" as expected type '([^']+)'\.?", m =>
            m.Groups[1].Value.Contains("Int32") ? "; expected an integer." :
            m.Groups[1].Value.Contains("Double") ? "; expected a number." :
            m.Groups[1].Value.Contains("Boolean") ? "; expected true or false." : m.Value);

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
