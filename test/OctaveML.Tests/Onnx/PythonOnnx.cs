using System.Diagnostics;

namespace OctaveML.Tests.Onnx;

/// <summary>Runs Debian's python3-onnx on exported models. CI installs it, so its absence fails the test.</summary>
internal static class PythonOnnx
{
    private const string Python = "/usr/bin/python3";

    /// <summary>onnx.checker.check_model(full_check=True) on the model in <paramref name="onnx"/>; returns the script's output, throws on failure.</summary>
    public static string Check(byte[] onnx)
    {
        string path = Path.Combine(Path.GetTempPath(), $"octaveml-check-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, onnx);
        try
        {
            return Run("""
                import sys, onnx
                m = onnx.load(sys.argv[1])
                onnx.checker.check_model(m, full_check=True)
                print("onnx", onnx.__version__, "checker OK: ir", m.ir_version, "opsets", sorted((o.domain, o.version) for o in m.opset_import))
                """, path);
        }
        finally { File.Delete(path); }
    }

    /// <summary>Runs a Python script with arguments; throws with its output when it fails.</summary>
    public static string Run(string script, params string[] args)
    {
        if (!File.Exists(Python))
            throw new InvalidOperationException($"{Python} is missing; install python3 and python3-onnx (CI does).");
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"python3 exited with {p.ExitCode}:\n{stdout}\n{stderr.Result}");
        return stdout;
    }
}
