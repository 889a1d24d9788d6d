using OctaveML.Models;
using OctaveML.Tensors;

namespace OctaveML.Tests.Models;

public class ModelArgumentTests
{
    [Fact]
    public void Rejects_unsupported_depths_and_alphas()
    {
        FluentActions.Invoking(() => new OctResNet(depth: 34)).Should().Throw<ArgumentOutOfRangeException>()
            .WithParameterName("depth").WithMessage("*26, 50, 101, 152, 200*");
        FluentActions.Invoking(() => new OctCifarResNet(depth: 21)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("depth");
        FluentActions.Invoking(() => new OctMobileNet(alpha: 1.0)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("alpha");
        FluentActions.Invoking(() => new OctMobileNet(numClasses: 1)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("numClasses");
        FluentActions.Invoking(() => new OctMobileNet(widthMultiplier: 0)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("widthMultiplier");
    }

    [Fact]
    public void Rejects_images_with_the_wrong_channel_count()
    {
        var model = new OctCifarResNet(20, 10, 0.5, inChannels: 1);
        FluentActions.Invoking(() => model.Forward(new Tensor(2, 3, 28, 28))).Should().Throw<ArgumentException>()
            .WithParameterName("images").WithMessage("*[N, 1, H, W]*");
    }

    [Fact]
    public void Same_seed_gives_same_weights()
    {
        var a = new OctCifarResNet(20, 10, 0.5, seed: 3).StateDict();
        var b = new OctCifarResNet(20, 10, 0.5, seed: 3).StateDict();
        var c = new OctCifarResNet(20, 10, 0.5, seed: 4).StateDict();
        a["layer2.1.conv1.conv.conv_l2h.weight"].Data.Should().Equal(b["layer2.1.conv1.conv.conv_l2h.weight"].Data);
        a["layer2.1.conv1.conv.conv_l2h.weight"].Data.Should().NotEqual(c["layer2.1.conv1.conv.conv_l2h.weight"].Data);
    }

    [Fact]
    public void State_dict_names_follow_the_reference()
    {
        var names = new OctMobileNet(10, 0.5).StateDict().Keys.ToList();
        names.Should().Contain(["features.0.0.weight", "features.0.1.running_var", "features.1.0.conv.conv_h2h.weight",
            "features.1.1.conv.conv_h2l.weight", "features.1.1.bn_l.weight", "features.13.1.bn_h.num_batches_tracked", "fc.bias"]);
        new OctResNet(26, 10, 0.5).StateDict().Keys.Should().Contain(["layer1.0.downsample.0.conv.conv_h2l.weight", "layer4.1.conv3.bn_h.running_mean"]);
    }
}
