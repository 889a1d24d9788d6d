using OctaveML.Nn;
using OctaveML.Tests.Infrastructure;

namespace OctaveML.Tests.Nn;

/// <summary>OctaveConv against the reference (tools/reference/octaveml_ref.py's OctaveConv) on every golden case: outputs, input and weight gradients.</summary>
public class OctaveConvGoldenTests
{
    public static IEnumerable<object[]> Cases() => OctaveCase.OfKind(0);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_reference(string name)
    {
        var c = OctaveCase.Get(name);
        var conv = c.NewConv();
        conv.LoadStateDict(c.StateDict());
        var y = conv.Forward(c.Input());

        Close.Assert(y.High, c["out_h"], $"{name} out_h");
        var outL = c.Optional("out_l");
        if (outL is null) y.Low.Should().BeNull();
        else Close.Assert(y.Low!, outL, $"{name} out_l");

        var dx = conv.Backward(new OctaveTensor(c["g_h"], c.Optional("g_l")));
        Close.Assert(dx.High, c["grad_x_h"], $"{name} grad_x_h");
        var gxl = c.Optional("grad_x_l");
        if (gxl is null) dx.Low.Should().BeNull();
        else Close.Assert(dx.Low!, gxl, $"{name} grad_x_l");

        var parameters = conv.NamedParameters().ToList();
        parameters.Select(p => p.Name).Should().BeEquivalentTo(c.StateDict().Keys);
        foreach (var (pname, p) in parameters)
            Close.Assert(p.Grad, c["grad." + pname], $"{name} grad.{pname}");
    }
}
