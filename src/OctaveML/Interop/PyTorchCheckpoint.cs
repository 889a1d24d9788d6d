using OctaveML.Interop.PyTorch;
using OctaveML.Tensors;

namespace OctaveML.Interop;

/// <summary>
/// Reads the state dict of a PyTorch torch.save file (.pth, .pt, .pth.tar) in either of its formats:
/// the zip format of PyTorch 1.6 and later and the legacy format before it. The file may hold the
/// state dict itself or a dict that wraps it under "state_dict", "model_state_dict" or "model"; a
/// "module." prefix on every name (DataParallel) is dropped. Tensors of any stride become contiguous
/// float32 (float16, bfloat16, float64 and integer tensors converted by value).
/// </summary>
/// <remarks>
/// A small managed reader of the pickle subset state dicts use, rather than TorchSharp.PyBridge, so
/// that the core package stays free of native code. Pickled code is never run: only an allow-list of
/// globals is understood, and a file that pickles anything else (a whole model, a TorchScript module)
/// is refused with a <see cref="PyTorchFormatException"/> that says what it holds.
/// </remarks>
public static class PyTorchCheckpoint
{
    /// <summary>The state dict of the torch.save file <paramref name="path"/>, names in file order.</summary>
    /// <exception cref="PyTorchFormatException">The file is truncated, corrupted, not a torch.save file, or holds no state dict.</exception>
    public static Dictionary<string, Tensor> Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var fs = File.OpenRead(path);
        return Read(fs, path);
    }

    /// <summary>The state dict of a torch.save file held whole in the seekable <paramref name="stream"/>; <paramref name="fileName"/> names it in errors.</summary>
    /// <exception cref="PyTorchFormatException">The data is truncated, corrupted, not a torch.save file, or holds no state dict.</exception>
    public static Dictionary<string, Tensor> Read(Stream stream, string fileName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek || !stream.CanRead) throw new ArgumentException("the stream must be readable and seekable.", nameof(stream));
        try
        {
            stream.Position = 0;
            var head = new byte[WeightsFormats.HeadBytes];
            int n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            stream.Position = 0;
            var tensors = WeightsFormats.Detect(head.AsSpan(0, n), out string reason) switch
            {
                WeightsFormat.PyTorchZip => TorchZipFormat.Read(stream),
                WeightsFormat.PyTorchLegacy => TorchLegacyFormat.Read(stream),
                WeightsFormat.SafeTensors => throw new PyTorchFormatException(fileName, "it is a safetensors file, not a torch.save file; read it with SafeTensors.Load."),
                _ => throw new PyTorchFormatException(fileName, reason),
            };
            return tensors.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        }
        catch (InvalidDataException e)
        {
            throw new PyTorchFormatException(fileName, e.Message, e);
        }
        catch (EndOfStreamException e)
        {
            throw new PyTorchFormatException(fileName, "the file ends early.", e);
        }
    }
}
