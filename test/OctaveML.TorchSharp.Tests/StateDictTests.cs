using OctaveML.Models;
using OctaveML.TorchSharp;

namespace OctaveML.TorchSharp.Tests;

public class StateDictTests
{
    public static TheoryData<ModelSpec> Specs => new()
    {
        new OctCifarResNetSpec { Depth = 20, Alpha = 0.5, NumClasses = 10, InChannels = 1 },
        new OctResNetSpec { Depth = 26, Alpha = 0.25, Stem = ResNetStem.Small, NumClasses = 5 },
        new OctResNetSpec { Depth = 50, Alpha = 0.5, Stem = ResNetStem.ImageNet, NumClasses = 1000 },
        new OctMobileNetSpec { Alpha = 0.5, WidthMultiplier = 0.25, NumClasses = 7 },
        new OctMobileNetSpec { Alpha = 0, NumClasses = 1000 },
    };

    [Theory]
    [MemberData(nameof(Specs))]
    public void Keys_and_shapes_are_the_managed_engines(ModelSpec spec)
    {
        using var module = OctaveModels.Create(spec);
        var torchState = module.state_dict().ToDictionary(x => x.Key, x => x.Value.shape);
        var managed = spec.CreateModel().StateDict().ToDictionary(x => x.Key, x => x.Value.ShapeArray().Select(d => (long)d).ToArray());
        torchState.Keys.Should().BeEquivalentTo(managed.Keys);
        foreach (var (name, shape) in managed) torchState[name].Should().Equal(shape, name);
    }
}
