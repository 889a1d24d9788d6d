using OctaveML.Interop;
using OctaveML.Tensors;

namespace OctaveML.Tests.Interop;

public class SafeTensorsTests
{
    [Fact]
    public void Round_trips_tensors_and_metadata()
    {
        var a = new Tensor(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        var b = new Tensor(new float[] { -1.5f }, 1);
        using var ms = new MemoryStream();
        SafeTensors.Write(ms, new Dictionary<string, Tensor> { ["x.weight"] = a, ["y"] = b },
            new Dictionary<string, string> { ["format"] = "pt" });
        ms.Position = 0;
        var back = SafeTensors.Read(ms, out var meta);
        back.Keys.Should().Equal("x.weight", "y");
        back["x.weight"].ShapeString.Should().Be("[2, 3]");
        back["x.weight"].Data.Should().Equal(a.Data);
        back["y"].Data.Should().Equal(b.Data);
        meta["format"].Should().Be("pt");
    }

    [Fact]
    public void Rejects_truncated_data()
    {
        using var ms = new MemoryStream();
        SafeTensors.Write(ms, new Dictionary<string, Tensor> { ["x"] = new Tensor(4, 4) });
        var bytes = ms.ToArray()[..^5];
        var act = () => SafeTensors.Read(new MemoryStream(bytes), out _);
        act.Should().Throw<InvalidDataException>().WithMessage("*tensor 'x'*");
    }

    [Fact]
    public void Rejects_absurd_header_length()
    {
        var bytes = new byte[16];
        bytes[7] = 0x7f;
        var act = () => SafeTensors.Read(new MemoryStream(bytes), out _);
        act.Should().Throw<InvalidDataException>().WithMessage("*header length*");
    }
}
