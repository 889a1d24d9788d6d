using OctaveML.Models;

namespace OctaveML.Onnx;

/// <summary>
/// Each family's network as its spec describes it, walked as octref.py's forward does: from the
/// normalised image [N, C, H, W] to the pooled features [N, F] before fc (a plain map: the last stage has no low-frequency part).
/// </summary>
internal static class NetworkGraph
{
    public static FeatureMap Features(OnnxGraphBuilder g, ModelSpec spec, FeatureMap image)
    {
        var features = spec switch
        {
            OctResNetSpec s => OctResNet(g, s, image),
            OctCifarResNetSpec s => OctCifarResNet(g, s, image),
            OctMobileNetSpec s => OctMobileNet(g, s, image),
            _ => throw new NotSupportedException($"ONNX export does not know the {spec.Family} family."),
        };
        var pooled = g.Node("GlobalAveragePool", "avgpool", [features.Name]);
        return new FeatureMap(g.Node("Flatten", "flatten", [pooled], OnnxGraphBuilder.Int("axis", 1)), features.Channels, 1, 1);
    }

    private static FeatureMap Plain(OctaveMaps t) =>
        t.Low is null ? t.High : throw new InvalidOperationException("the last stage left a low-frequency part.");

    private static FeatureMap OctResNet(OnnxGraphBuilder g, OctResNetSpec s, FeatureMap image)
    {
        var layers = new OctaveLayers(g);
        bool imagenet = s.Stem == ResNetStem.ImageNet;
        var x = layers.PlainConvBnRelu(image, "conv1", "bn1", imagenet ? 2 : 1, imagenet ? 3 : 1);
        if (imagenet) x = g.MaxPool3x3(x, "maxpool");
        var t = new OctaveMaps(x, null);
        int inplanes = 64;
        for (int stage = 0; stage < 4; stage++)
        {
            int planes = OctResNetSpec.StagePlanes[stage], stride = stage == 0 ? 1 : 2;
            bool output = stage == 3;
            double alphaIn = stage == 0 ? 0 : s.Alpha, alphaOut = output ? 0 : s.Alpha, a = output ? 0 : s.Alpha;
            bool downsample = stride != 1 || inplanes != planes * OctResNetSpec.Expansion;
            for (int b = 0; b < s.Blocks[stage]; b++)
            {
                string prefix = $"layer{stage + 1}.{b}";
                t = b == 0
                    ? layers.Bottleneck(t, prefix, inplanes, planes, stride, downsample, alphaIn, alphaOut, s.Alpha, output)
                    : layers.Bottleneck(t, prefix, inplanes, planes, 1, false, a, a, s.Alpha, output);
                inplanes = planes * OctResNetSpec.Expansion;
            }
        }
        return Plain(t);
    }

    private static FeatureMap OctCifarResNet(OnnxGraphBuilder g, OctCifarResNetSpec s, FeatureMap image)
    {
        var layers = new OctaveLayers(g);
        var t = new OctaveMaps(layers.PlainConvBnRelu(image, "conv1", "bn1", 1, 1), null);
        int inplanes = OctCifarResNetSpec.StagePlanes[0];
        for (int stage = 0; stage < 3; stage++)
        {
            int planes = OctCifarResNetSpec.StagePlanes[stage], stride = stage == 0 ? 1 : 2;
            bool output = stage == 2;
            double alphaIn = stage == 0 ? 0 : s.Alpha, alphaOut = output ? 0 : s.Alpha, a = output ? 0 : s.Alpha;
            bool downsample = stride != 1 || inplanes != planes || alphaIn != alphaOut;
            for (int b = 0; b < s.BlocksPerStage; b++)
            {
                string prefix = $"layer{stage + 1}.{b}";
                t = b == 0
                    ? layers.BasicBlock(t, prefix, inplanes, planes, stride, downsample, alphaIn, alphaOut, s.Alpha, output)
                    : layers.BasicBlock(t, prefix, inplanes, planes, 1, false, a, a, s.Alpha, output);
                inplanes = planes;
            }
        }
        return Plain(t);
    }

    private static FeatureMap OctMobileNet(OnnxGraphBuilder g, OctMobileNetSpec s, FeatureMap image)
    {
        var layers = new OctaveLayers(g);
        var t = new OctaveMaps(layers.PlainConvBnRelu(image, "features.0.0", "features.0.1", 2, 1), null);
        for (int i = 0; i < OctMobileNetSpec.BlockTable.Count; i++)
        {
            var (cin, cout, stride, octaveIn, octaveOut) = OctMobileNetSpec.BlockTable[i];
            int inp = s.Width(cin), oup = s.Width(cout);
            double alphaIn = octaveIn ? s.Alpha : 0, alphaOut = octaveOut ? s.Alpha : 0;
            string prefix = $"features.{i + 1}";
            // The reference's conv_dw: the depthwise conv keeps the input's alpha, the pointwise conv changes it.
            t = layers.ConvBn(t, prefix + ".0", inp, inp, alphaIn, alphaIn, stride, 1, depthwise: true, act: true);
            t = layers.ConvBn(t, prefix + ".1", inp, oup, alphaIn, alphaOut, 1, 0, depthwise: false, act: true);
        }
        return Plain(t);
    }
}
