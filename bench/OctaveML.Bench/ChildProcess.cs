using System.ComponentModel;
using System.Diagnostics;

namespace OctaveML.Bench;

/// <summary>Runs a benchmark child process to its end and returns its standard output.</summary>
public static class ChildProcess
{
    /// <summary>
    /// Runs <paramref name="psi"/> (its output is redirected here); throws an <see cref="InvalidOperationException"/>
    /// naming <paramref name="what"/> with the child's standard error when it cannot start or exits with an error.
    /// </summary>
    public static string Run(ProcessStartInfo psi, string what)
    {
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        Process p;
        try
        {
            p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {what} ({psi.FileName}).");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"could not start {what} ({psi.FileName}): {e.Message}", e);
        }
        using (p)
        {
            var stderr = p.StandardError.ReadToEndAsync();
            string stdout = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException($"{what} exited with {p.ExitCode}: {stderr.Result}{stdout}");
            return stdout;
        }
    }

    /// <summary>How to run a .NET program's <paramref name="dll"/>: with the dotnet host running this process, else the dotnet on the PATH.</summary>
    public static ProcessStartInfo Dotnet(string dll)
    {
        string? current = Environment.ProcessPath;
        string host = current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
        return new ProcessStartInfo(host) { ArgumentList = { dll } };
    }
}
