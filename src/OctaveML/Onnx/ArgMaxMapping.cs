using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace OctaveML.Onnx;

/// <summary>
/// The index of the highest score, as a CustomMapping that ML.NET saves by contract name and, when it
/// loads a model, finds again in this assembly (the model names the assembly; no RegisterAssembly call).
/// The first of equal maxima wins; NaN scores never win.
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class ArgMaxMapping : CustomMappingFactory<ArgMaxMapping.Input, ArgMaxMapping.Output>
{
    /// <summary>The contract name saved in models.</summary>
    public const string ContractName = "OctaveML.ArgMax";

    /// <summary>The input column the mapping reads (the scoring chain copies the scores into it).</summary>
    public const string ScoresColumn = "OctaveML.ArgMax.Scores";

    /// <summary>The output column: the 0-based index of the highest score.</summary>
    public const string IndexColumn = "OctaveML.ArgMax.Index";

    /// <summary>The mapping's input row.</summary>
    public sealed class Input
    {
        /// <summary>Scores, one per class.</summary>
        [ColumnName(ScoresColumn)]
        public float[] Scores { get; set; } = [];
    }

    /// <summary>The mapping's output row.</summary>
    public sealed class Output
    {
        /// <summary>The 0-based index of the highest score (0 when every score is NaN).</summary>
        [ColumnName(IndexColumn)]
        public uint Index { get; set; }
    }

    /// <summary>Writes the index of the highest of <paramref name="input"/>'s scores.</summary>
    public static void Map(Input input, Output output)
    {
        var s = input.Scores;
        int best = 0;
        for (int i = 1; i < s.Length; i++)
            if (s[i] > s[best] || float.IsNaN(s[best])) best = i;
        output.Index = (uint)best;
    }

    /// <inheritdoc/>
    public override Action<Input, Output> GetMapping() => Map;
}
