using System.Diagnostics;

namespace OctaveML.Bench;

/// <summary>
/// Another process keeping one processor busy (a floating-point loop on one thread), to measure under load what a
/// quiet machine would flatter: started by <see cref="Start"/>, ended by <see cref="Dispose"/>. It is this program
/// run with the hidden <c>busy</c> suite, and it also ends by itself when its standard input closes, so a bench
/// that dies leaves no spinning child behind.
/// </summary>
public sealed class BusyProcess : IDisposable
{
    /// <summary>The hidden suite's name.</summary>
    public const string Suite = "busy";

    private readonly Process _process;

    private BusyProcess(Process process) => _process = process;

    /// <summary>The child's process id.</summary>
    public int Id => _process.Id;

    /// <summary>Whether the child is still running.</summary>
    public bool IsRunning => !_process.HasExited;

    /// <summary>Starts the busy child and waits until it reports that its loop runs.</summary>
    public static BusyProcess Start()
    {
        var psi = ModelBenchmark.BenchProcess();
        psi.ArgumentList.Add(Suite);
        psi.RedirectStandardInput = true;
        psi.RedirectStandardOutput = true;
        psi.UseShellExecute = false;
        var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start the busy process ({psi.FileName}).");
        string? line = p.StandardOutput.ReadLine();
        if (line != "busy")
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            p.Dispose();
            throw new InvalidOperationException($"the busy process did not start its loop (it wrote '{line}').");
        }
        return new BusyProcess(p);
    }

    /// <summary>Ends the child (closing its input, then killing it if it has not exited within a second).</summary>
    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(1000)) _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        catch (InvalidOperationException) { } // already gone
        _process.Dispose();
    }

    /// <summary>The child's side: spins one thread until standard input reaches its end.</summary>
    public static int Run(TextReader input, TextWriter output)
    {
        var stop = new ManualResetEventSlim();
        var loop = new Thread(() =>
        {
            double x = 1.0;
            while (!stop.IsSet)
                for (int i = 0; i < 1_000_000; i++) x = x * 0.9999999 + 1e-7;
            GC.KeepAlive(x);
        }) { IsBackground = true, Name = "busy" };
        loop.Start();
        output.WriteLine("busy");
        output.Flush();
        while (input.ReadLine() is not null) { }
        stop.Set();
        loop.Join();
        return 0;
    }
}
