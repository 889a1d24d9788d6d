using System.CommandLine;
using System.Globalization;
using OctaveML.Onnx;

namespace OctaveML.Samples.Commands;

/// <summary>
/// <c>export</c>: writes the network inside an ML.NET model.zip (saved by the main job, <c>pipeline</c>,
/// <c>train</c> or any program with <c>ml.Model.Save</c>) out as an ONNX file and/or safetensors weights
/// with the reference's parameter names.
/// </summary>
public static class ExportCommand
{
    /// <summary>The System.CommandLine command.</summary>
    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = new Option<string>("--model") { Description = "the ML.NET model.zip to read", Required = true };
        var onnx = new Option<string?>("--onnx") { Description = "where to write the ONNX model (normalisation folded in, scored by ONNX Runtime as the zip is)" };
        var safetensors = new Option<string?>("--safetensors") { Description = "where to write the weights as safetensors (state-dict names, model metadata in __metadata__)" };
        var command = new Command("export", "Write the network of a saved model.zip as ONNX and/or safetensors.") { model, onnx, safetensors };
        command.SetAction(r => Cli.Guard(error, () =>
        {
            Run(r.GetValue(model)!, r.GetValue(onnx), r.GetValue(safetensors), output);
            return 0;
        }));
        return command;
    }

    /// <summary>Reads <paramref name="modelZip"/> and writes the files asked for; returns what was read.</summary>
    public static ExportedModel Run(string modelZip, string? onnxPath, string? safetensorsPath, TextWriter output)
    {
        if (onnxPath is null && safetensorsPath is null)
            throw new UsageException("--onnx, --safetensors: give at least one file to write.");
        if (!File.Exists(modelZip))
            throw new UsageException($"--model: {modelZip} does not exist; expected a model.zip saved with ml.Model.Save.");
        ExportedModel model;
        try
        {
            model = OctaveModelFile.Read(modelZip);
        }
        catch (ExportedModelFormatException e)
        {
            throw new UsageException($"--model: {e.Message}");
        }
        var m = model.Metadata;
        long parameters = model.Weights.Values.Sum(t => (long)t.Length);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"model    {model.Spec.DisplayName}, {model.Spec.InChannels}x{m.Height}x{m.Width} input, {m.ClassNames.Count} classes ({string.Join(", ", m.ClassNames)}), {parameters:N0} values in {model.Weights.Count} tensors"));
        if (onnxPath is not null)
        {
            WriteAtomically(onnxPath, model.Onnx);
            output.WriteLine($"onnx     {onnxPath} ({new FileInfo(onnxPath).Length:N0} bytes)");
        }
        if (safetensorsPath is not null)
        {
            OctaveModelFile.SaveSafeTensors(model, safetensorsPath);
            output.WriteLine($"weights  {safetensorsPath} ({new FileInfo(safetensorsPath).Length:N0} bytes)");
        }
        return model;
    }

    /// <summary>Writes a temp file beside <paramref name="path"/> and moves it into place, so a failed write leaves no half file.</summary>
    private static void WriteAtomically(string path, byte[] bytes)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temp = full + ".tmp";
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, full, overwrite: true);
    }
}
