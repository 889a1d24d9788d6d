using System.Globalization;
using System.Text;
using OctaveML.Nn;
using OctaveML.Tensors;

namespace OctaveML.Models;

/// <summary>One row of a <see cref="ModelSummary"/>: a layer with its output shapes, parameters and MACs.</summary>
/// <param name="Name">The layer's dotted path (its state_dict prefix).</param>
/// <param name="Type">The layer type (Conv2d, BatchNorm2d, MaxPool2d, ConvBN, ConvBNAct, Linear).</param>
/// <param name="HighShape">Output shape (of the high part for octave layers).</param>
/// <param name="LowShape">Output shape of the low part, or null.</param>
/// <param name="Parameters">Trainable scalars of the layer.</param>
/// <param name="Macs">Multiply-accumulates for one image.</param>
public sealed record LayerSummary(string Name, string Type, int[] HighShape, int[]? LowShape, long Parameters, long Macs);

/// <summary>
/// Per-layer output shapes (high and low), parameters and multiply-accumulates of a model at an input
/// size, with totals, like paddle.summary. MACs are counted as tools/reference/macs.py counts
/// them: convolutions and the classifier. Shapes come from a real batch-1 forward in eval mode.
/// </summary>
public sealed class ModelSummary
{
    private ModelSummary(string model, int height, int width, IReadOnlyList<LayerSummary> layers, long parameters)
    {
        Model = model; Height = height; Width = width; Layers = layers; TotalParameters = parameters;
        TotalMacs = layers.Sum(l => l.Macs);
    }

    /// <summary>The model's type name.</summary>
    public string Model { get; }
    /// <summary>Input height.</summary>
    public int Height { get; }
    /// <summary>Input width.</summary>
    public int Width { get; }
    /// <summary>The layers in forward order.</summary>
    public IReadOnlyList<LayerSummary> Layers { get; }
    /// <summary>All trainable scalars of the model.</summary>
    public long TotalParameters { get; }
    /// <summary>Multiply-accumulates of one forward pass for one image.</summary>
    public long TotalMacs { get; }

    /// <summary>Summarises <paramref name="model"/> for <paramref name="height"/> x <paramref name="width"/> inputs.</summary>
    public static ModelSummary Create(ImageClassifier model, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (height < 1) throw new ArgumentOutOfRangeException(nameof(height), height, "height must be at least 1.");
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, "width must be at least 1.");
        bool training = model.Training;
        model.Eval();
        try { model.Forward(new Tensor(1, model.InChannels, height, width)); }
        finally { model.Train(training); }

        var rows = new List<LayerSummary>();
        int[] last = [1, model.InChannels, height, width];
        foreach (var (name, module) in model.NamedModules())
        {
            switch (module)
            {
                case ConvBN cb when cb.Conv.LastInputSize is { } size:
                    var (hi, lo) = cb.Conv.OutputShapes(1, size.Height, size.Width);
                    rows.Add(new(name, cb.Activation ? "ConvBNAct" : "ConvBN", hi, lo, cb.ParameterCount(), cb.Conv.Macs(size.Height, size.Width)));
                    last = hi;
                    break;
                case Conv2d conv when conv.LastGeometry is { } g:
                    last = [1, g.OutChannels, g.OutHeight, g.OutWidth];
                    rows.Add(new(name, "Conv2d", last, null, conv.ParameterCount(), Conv2d.Macs(g)));
                    break;
                case BatchNorm2d bn when !IsInsideConvBN(model, name):
                    rows.Add(new(name, bn.FusedRelu ? "BatchNorm2d+ReLU" : "BatchNorm2d", last, null, bn.ParameterCount(), 0));
                    break;
                case MaxPool2d pool:
                    last = [1, last[1], Ops.MaxPool2dKernel.OutSize(last[2], pool.KernelSize, pool.Stride, pool.Padding),
                        Ops.MaxPool2dKernel.OutSize(last[3], pool.KernelSize, pool.Stride, pool.Padding)];
                    rows.Add(new(name, "MaxPool2d", last, null, 0, 0));
                    break;
                case Linear fc:
                    last = [1, fc.OutFeatures];
                    rows.Add(new(name, "Linear", last, null, fc.ParameterCount(), (long)fc.InFeatures * fc.OutFeatures));
                    break;
            }
        }
        return new ModelSummary(model.GetType().Name, height, width, rows, model.ParameterCount());
    }

    private static bool IsInsideConvBN(Module model, string name)
    {
        int dot = name.LastIndexOf('.');
        if (dot < 0) return false;
        string parent = name[..dot];
        return model.NamedModules().Any(m => m.Name == parent && m.Module is ConvBN);
    }

    /// <summary>The table: one line a layer, then the totals.</summary>
    public override string ToString()
    {
        var inv = CultureInfo.InvariantCulture;
        static string Shape(int[]? s) => s is null ? "-" : "[" + string.Join(", ", s) + "]";
        int nameW = Math.Max(10, Layers.Max(l => l.Name.Length)) + 2;
        var sb = new StringBuilder();
        string header = $"{"Layer".PadRight(nameW)}{"Type",-18}{"Output (high)",-22}{"Output (low)",-22}{"Params",14}{"MACs",16}";
        sb.AppendLine($"{Model} at {Width}x{Height}").AppendLine(header).AppendLine(new string('-', header.Length));
        foreach (var l in Layers)
            sb.AppendLine(string.Create(inv, $"{l.Name.PadRight(nameW)}{l.Type,-18}{Shape(l.HighShape),-22}{Shape(l.LowShape),-22}{l.Parameters,14:N0}{l.Macs,16:N0}"));
        sb.AppendLine(new string('-', header.Length));
        sb.AppendLine(string.Create(inv, $"Total params: {TotalParameters:N0}"));
        sb.AppendLine(string.Create(inv, $"Total MACs: {TotalMacs:N0} ({TotalMacs / 1e9:0.000} G)"));
        return sb.ToString();
    }
}
