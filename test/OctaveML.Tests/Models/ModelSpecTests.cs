using OctaveML.Models;

namespace OctaveML.Tests.Models;

public class ModelSpecTests
{
    public static TheoryData<ModelSpec> Specs => new()
    {
        new OctResNetSpec { Depth = 26, Alpha = 0.25, Stem = ResNetStem.Small, NumClasses = 7, InChannels = 1 },
        new OctCifarResNetSpec { Depth = 32, Alpha = 0, NumClasses = 3 },
        new OctMobileNetSpec { Alpha = 0.5, WidthMultiplier = 0.5, NumClasses = 5 },
    };

    [Theory, MemberData(nameof(Specs))]
    public void Properties_round_trip_to_an_equal_spec(ModelSpec spec)
    {
        ModelSpec.FromProperties(spec.ToProperties()).Should().Be(spec);
    }

    [Theory, MemberData(nameof(Specs))]
    public void The_built_model_reports_the_spec_it_was_built_from(ModelSpec spec)
    {
        var model = spec.CreateModel(seed: 3);
        model.Spec.Should().Be(spec);
        model.NumClasses.Should().Be(spec.NumClasses);
        model.InChannels.Should().Be(spec.InChannels);
        model.StateDict().Should().ContainKey(ImageClassifier.HeadName + ".weight");
    }

    [Fact]
    public void Keys_name_family_depth_and_whether_the_model_is_octave()
    {
        new OctResNetSpec { Depth = 50, Alpha = 0.5 }.Key.Should().Be("oct_resnet50");
        new OctResNetSpec { Depth = 50, Alpha = 0 }.Key.Should().Be("resnet50");
        new OctCifarResNetSpec { Depth = 20 }.Key.Should().Be("oct_cifar_resnet20");
        new OctMobileNetSpec { WidthMultiplier = 0.5 }.Key.Should().Be("oct_mobilenet_w0.5");
    }

    [Fact]
    public void Invalid_values_name_the_property()
    {
        FluentActions.Invoking(() => new OctResNetSpec { Depth = 34 }.Validate())
            .Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("Depth");
        FluentActions.Invoking(() => new OctCifarResNetSpec { Depth = 21 }.Validate())
            .Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("Depth");
        FluentActions.Invoking(() => new OctMobileNetSpec { WidthMultiplier = 0 }.Validate())
            .Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("WidthMultiplier");
        FluentActions.Invoking(() => new OctMobileNetSpec { Alpha = 1 }.Validate())
            .Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("Alpha");
        FluentActions.Invoking(() => new OctMobileNetSpec { NumClasses = 1 }.CreateModel())
            .Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("NumClasses");
    }

    [Fact]
    public void Malformed_properties_are_format_errors_naming_the_key()
    {
        var p = new Dictionary<string, string>(new OctResNetSpec().ToProperties());
        p["depth"] = "fifty";
        FluentActions.Invoking(() => ModelSpec.FromProperties(p)).Should().Throw<FormatException>().WithMessage("*'depth'*");
        p.Remove("depth");
        FluentActions.Invoking(() => ModelSpec.FromProperties(p)).Should().Throw<FormatException>().WithMessage("*'depth'*");
        p["depth"] = "34";
        FluentActions.Invoking(() => ModelSpec.FromProperties(p)).Should().Throw<FormatException>().WithMessage("*Depth*");
        p["architecture"] = "VGG";
        FluentActions.Invoking(() => ModelSpec.FromProperties(p)).Should().Throw<FormatException>().WithMessage("*VGG*");
    }
}
