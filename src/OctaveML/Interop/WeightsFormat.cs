using System.Buffers.Binary;

namespace OctaveML.Interop;

/// <summary>The weight file formats the library reads, told apart by content (never by extension).</summary>
public enum WeightsFormat
{
    /// <summary>safetensors: an 8-byte header length, then a JSON header.</summary>
    SafeTensors,
    /// <summary>torch.save's zip format (PyTorch 1.6 and later): starts with "PK".</summary>
    PyTorchZip,
    /// <summary>torch.save's legacy format (before 1.6, or _use_new_zipfile_serialization=False): starts with a pickle (0x80).</summary>
    PyTorchLegacy,
}

/// <summary>Detects a <see cref="WeightsFormat"/> from a file's first bytes.</summary>
public static class WeightsFormats
{
    /// <summary>How many leading bytes <see cref="Detect"/> looks at (a tar header's magic sits at 257).</summary>
    public const int HeadBytes = 512;

    /// <summary>
    /// The format of a file that starts with <paramref name="head"/> (its first <see cref="HeadBytes"/>
    /// bytes, or all of a shorter file), or null with <paramref name="reason"/> saying what it is instead.
    /// </summary>
    public static WeightsFormat? Detect(ReadOnlySpan<byte> head, out string reason)
    {
        reason = "";
        if (head.Length >= 4 && head[0] == 'P' && head[1] == 'K' && ((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6)))
            return WeightsFormat.PyTorchZip;
        if (head.Length >= 2 && head[0] == 0x80 && head[1] is >= 2 and <= 5)
            return WeightsFormat.PyTorchLegacy;
        if (head.Length >= 9 && head[8] == '{' && BinaryPrimitives.ReadUInt64LittleEndian(head) is >= 2 and <= 100_000_000)
            return WeightsFormat.SafeTensors;
        if (head.Length >= 2 && head[0] == 0x1f && head[1] == 0x8b)
            reason = "it is gzip-compressed; decompress it first.";
        else if (head.Length >= 262 && head[257..262].SequenceEqual("ustar"u8))
            reason = "it is a tar archive (torch.save before PyTorch 0.4), which is not read; re-save the state dict with a recent PyTorch.";
        else
            reason = $"it is neither safetensors nor a torch.save file (it starts with {Convert.ToHexString(head[..Math.Min(head.Length, 8)])}).";
        return null;
    }
}
