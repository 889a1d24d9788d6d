using OctaveML.Interop;
using OctaveML.Tensors;
using OctaveML.Tests.Training;

namespace OctaveML.Tests.Interop;

/// <summary>
/// The torch.save reader against files Debian's PyTorch 1.13 wrote (tools/golden/gen_pytorch.py):
/// every dtype and layout in both formats, wrapped checkpoints, and files it must refuse.
/// </summary>
public class PyTorchCheckpointTests
{
    public static TheoryData<string> TensorFiles => new() { "tensors.pth", "tensors_legacy.pth", "tensors_legacy_protocol4.pth" };

    [Theory]
    [MemberData(nameof(TensorFiles))]
    public void Every_dtype_and_layout_reads_as_pytorch_converts_it(string file)
    {
        var tensors = PyTorchFiles.Read(file);
        var expected = PyTorchFiles.Expected.Where(kv => kv.Key.StartsWith("tensor/", StringComparison.Ordinal)).ToList();
        tensors.Keys.Should().Equal(expected.Select(kv => kv.Key["tensor/".Length..]));
        foreach (var (key, want) in expected)
        {
            var got = tensors[key["tensor/".Length..]];
            got.ShapeString.Should().Be(want.ShapeString, key);
            got.Data.Should().Equal(want.Data, $"{key} in {file} (exact: float32 conversion of each value)");
        }
    }

    [Fact]
    public void A_wrapped_checkpoint_with_module_prefixes_and_strided_weights_reads_as_the_plain_state_dict()
    {
        // The same trained weights: once a plain zip-format state dict, once wrapped by a training script
        // (epoch, optimizer, DataParallel names) in the legacy format, conv weights channels-last and
        // fc.weight transposed in memory.
        var plain = PyTorchFiles.Read("oct_resnet20_trained.pth");
        var wrapped = PyTorchFiles.Read("oct_resnet20_trained_wrapped_legacy.pth.tar");
        wrapped.Keys.Should().Equal(plain.Keys);
        plain.Keys.Should().Contain("layer1.0.conv1.conv.conv_h2h.weight").And.Contain("fc.weight");
        foreach (var (name, t) in plain)
        {
            wrapped[name].ShapeString.Should().Be(t.ShapeString, name);
            wrapped[name].Data.Should().Equal(t.Data, name);
        }
    }

    [Theory]
    [InlineData("whole_model.pth")]
    [InlineData("whole_model_legacy.pth")]
    public void A_whole_pickled_model_is_refused_naming_its_class(string file)
    {
        FluentActions.Invoking(() => PyTorchFiles.Read(file)).Should().Throw<PyTorchFormatException>()
            .Where(e => e.FileName == file)
            .WithMessage($"{file}: it pickles class __main__.TinyNet, not a state dict; save model.state_dict()*");
    }

    [Fact]
    public void A_pickle_that_reduces_to_os_system_is_refused()
    {
        FluentActions.Invoking(() => PyTorchFiles.Read("evil.pth")).Should().Throw<PyTorchFormatException>()
            .WithMessage("evil.pth: it pickles class posix.system, not a state dict*");
    }

    [Theory]
    [InlineData("torchscript.pt", "*TorchScript module (torch.jit.save)*state_dict()*")]
    [InlineData("no_state_dict.pth", "*a dict with keys ['epoch', 'arch', 'best_acc1'] that is not a state dict ('epoch' is an int, not a tensor)*'state_dict'*")]
    [InlineData("single_tensor.pth", "*a single tensor, not a state dict*")]
    [InlineData("complex.pth", "*torch.ComplexFloatStorage, a dtype the reader does not convert*")]
    public void Files_that_hold_no_readable_state_dict_are_refused_saying_what_they_hold(string file, string message)
    {
        FluentActions.Invoking(() => PyTorchFiles.Read(file)).Should().Throw<PyTorchFormatException>()
            .Where(e => e.FileName == file).WithMessage(message);
    }

    [Theory]
    [InlineData("tensors.pth")]
    [InlineData("tensors_legacy.pth")]
    [InlineData("oct_resnet20_trained_wrapped_legacy.pth.tar")]
    public void A_truncated_file_fails_naming_the_file_at_every_cut(string file)
    {
        using var dir = new TempDir();
        var bytes = PyTorchFiles.Bytes(file);
        string path = dir[file];
        // Cuts inside the first pickle, the later pickles, the storages and the zip directory.
        var cuts = Enumerable.Range(0, 40).Select(i => (int)((long)bytes.Length * i / 40))
            .Concat([1, 2, 15, 21, 137, bytes.Length - 1, bytes.Length - 22]).Distinct();
        foreach (int keep in cuts)
        {
            File.WriteAllBytes(path, bytes.AsSpan(0, keep).ToArray());
            FluentActions.Invoking(() => PyTorchCheckpoint.Load(path)).Should().Throw<PyTorchFormatException>($"cut at {keep} of {bytes.Length}")
                .Where(e => e.FileName == path && e.Message.StartsWith(path + ": ", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("tensors.pth")]
    [InlineData("tensors_legacy.pth")]
    [InlineData("tensors_legacy_protocol4.pth")]
    public void A_corrupted_byte_anywhere_either_reads_or_fails_with_the_typed_error(string file)
    {
        var bytes = PyTorchFiles.Bytes(file);
        var rng = new Rng(5);
        int failures = 0;
        for (int i = 0; i < bytes.Length; i++)
        {
            var copy = (byte[])bytes.Clone();
            copy[i] = i % 2 == 0 ? (byte)(copy[i] ^ 0xff) : (byte)rng.NextInt(256);
            try { PyTorchCheckpoint.Read(new MemoryStream(copy), file); }
            catch (PyTorchFormatException e) { e.FileName.Should().Be(file); failures++; }
        }
        failures.Should().BeGreaterThan(0, "corrupting the pickles must be noticed");
    }

    [Fact]
    public void A_corrupted_weight_in_a_zip_file_fails_its_crc_check()
    {
        var bytes = PyTorchFiles.Bytes("tensors.pth");
        var weight = BitConverter.GetBytes(PyTorchFiles.Expected["tensor/f32"].Data[0]); // stored uncompressed, little-endian
        int at = bytes.AsSpan().IndexOf(weight);
        at.Should().BePositive();
        bytes[at] ^= 1;
        FluentActions.Invoking(() => PyTorchCheckpoint.Read(new MemoryStream(bytes), "tensors.pth")).Should().Throw<PyTorchFormatException>()
            .WithMessage("tensors.pth: tensors/data/* fails its CRC-32 check: the file is corrupted.");
    }

    [Fact]
    public void Files_in_other_formats_are_refused_saying_what_they_are()
    {
        using var dir = new TempDir();
        SafeTensors.Save(dir["w.safetensors"], [new("w", new Tensor(2))]);
        File.WriteAllText(dir["notes.txt"], "not weights");
        File.WriteAllBytes(dir["empty.pth"], []);
        File.Copy(Path.Combine(PyTorchFiles.Folder, "tensors.pth.gz"), dir["tensors.pth.gz"]);
        File.WriteAllBytes(dir["pickle.pkl"], [0x80, 0x02, (byte)'}', (byte)'q', 0x00, (byte)'.']); // pickle.dumps({}, 2)
        foreach (var (file, message) in new[]
        {
            ("w.safetensors", "*safetensors file, not a torch.save file*"), ("notes.txt", "*neither safetensors nor a torch.save file*"),
            ("empty.pth", "*neither safetensors nor a torch.save file*"), ("tensors.pth.gz", "*gzip-compressed*"),
            ("pickle.pkl", "*not start with torch.save's magic number*"),
        })
            FluentActions.Invoking(() => PyTorchCheckpoint.Load(dir[file])).Should().Throw<PyTorchFormatException>()
                .Where(e => e.FileName == dir[file]).WithMessage(message);
        FluentActions.Invoking(() => PyTorchCheckpoint.Load(dir["missing.pth"])).Should().Throw<FileNotFoundException>();
    }
}
