using System.ComponentModel;
using System.Diagnostics;

namespace OctaveML.Bench;

/// <summary>Runs a PyTorch peer script with Debian's Python (python3-torch) and returns its output.</summary>
public static class PythonPeer
{
    /// <summary>Debian's interpreter, the one with python3-torch.</summary>
    public const string DefaultPython = "/usr/bin/python3";

    /// <summary>The full path of a peer script of bench/ (the build copies them next to this program).</summary>
    public static string Script(string name) => Path.Combine(AppContext.BaseDirectory, name);

    /// <summary>
    /// Runs the peer script <paramref name="name"/> with <see cref="DefaultPython"/>; a failure ends the
    /// suite with the peer's whole standard error.
    /// </summary>
    public static string RunScript(string name, params string[] args)
    {
        try
        {
            return Run(DefaultPython, Script(name), args);
        }
        catch (PeerException e)
        {
            throw new InvalidOperationException($"{e.Message}\n{e.Details}", e);
        }
    }

    /// <summary>
    /// Runs <paramref name="script"/> with <paramref name="python"/> and arguments; returns its standard
    /// output. Throws a <see cref="PeerException"/> whose message names what is missing or what failed.
    /// </summary>
    public static string Run(string python, string script, params string[] args) => Run(python, script, args, null);

    /// <summary><see cref="Run(string, string, string[])"/> in a process with the allocator setting <paramref name="malloc"/> (null: this process's environment).</summary>
    public static string Run(string python, string script, IReadOnlyList<string> args, MallocSetting? malloc)
    {
        if (!File.Exists(python))
            throw new PeerException($"the PyTorch peer needs {python}, which does not exist (Debian: apt install python3-torch).", unavailable: true);
        if (!File.Exists(script))
            throw new PeerException($"the PyTorch peer script {script} does not exist.", unavailable: true);
        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        malloc?.Apply(psi);
        Process p;
        try
        {
            p = Process.Start(psi) ?? throw new PeerException($"could not start {python}.", unavailable: true);
        }
        catch (Win32Exception e)
        {
            throw new PeerException($"could not start {python}: {e.Message}.", unavailable: true);
        }
        using (p)
        {
            var stderr = p.StandardError.ReadToEndAsync();
            string stdout = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw Failure(python, Path.GetFileName(script), p.ExitCode, stderr.Result);
            return stdout;
        }
    }

    /// <summary>The exception for a peer that exited with <paramref name="code"/>: what is missing when stderr says so.</summary>
    public static PeerException Failure(string python, string script, int code, string stderr)
    {
        if (stderr.Contains("No module named 'torch'", StringComparison.Ordinal))
            return new PeerException($"{python} cannot import torch, which the PyTorch peer needs (Debian: apt install python3-torch).", true, stderr);
        if (stderr.Contains("No module named 'octaveml_ref'", StringComparison.Ordinal) || stderr.Contains("no folder containing OctaveML.sln", StringComparison.Ordinal))
            return new PeerException($"{script} did not find the reference models tools/reference/octaveml_ref.py (run it from the repository).", true, stderr);
        string last = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "no message";
        return new PeerException($"{python} {script} exited with {code}: {last}", false, stderr);
    }
}
