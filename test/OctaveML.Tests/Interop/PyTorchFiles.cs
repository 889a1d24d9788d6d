using System.IO.Compression;
using OctaveML.Interop;
using OctaveML.Tensors;
using OctaveML.Tests.Infrastructure;

namespace OctaveML.Tests.Interop;

/// <summary>
/// The torch.save files tools/golden/gen_pytorch.py wrote with Debian's python3-torch (gzipped in
/// test/golden/pytorch/) and what PyTorch computed from them (expected.safetensors).
/// </summary>
internal static class PyTorchFiles
{
    private static readonly Lazy<Dictionary<string, Tensor>> ExpectedTensors =
        new(() => SafeTensors.Load(Path.Combine(Folder, "expected.safetensors")));

    public static string Folder => Path.Combine(Golden.Folder, "pytorch");

    /// <summary>"x/...", "logits/&lt;file stem&gt;" and "tensor/&lt;name&gt;" as PyTorch computed them.</summary>
    public static Dictionary<string, Tensor> Expected => ExpectedTensors.Value;

    /// <summary>The bytes of test/golden/pytorch/<paramref name="name"/>.gz, as torch.save wrote them.</summary>
    public static byte[] Bytes(string name)
    {
        using var gz = new GZipStream(File.OpenRead(Path.Combine(Folder, name + ".gz")), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
    }

    /// <summary>Writes the file <paramref name="name"/> into <paramref name="folder"/> and returns its path.</summary>
    public static string Extract(string name, string folder)
    {
        string path = Path.Combine(folder, name);
        File.WriteAllBytes(path, Bytes(name));
        return path;
    }

    /// <summary>The state dict in <paramref name="name"/>, read from memory.</summary>
    public static Dictionary<string, Tensor> Read(string name) => PyTorchCheckpoint.Read(new MemoryStream(Bytes(name)), name);
}
