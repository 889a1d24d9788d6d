using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

// Loads an ML.NET model.zip with ML.NET's public API only (no RegisterAssembly, no OctaveML type named),
// scores the rows of a file of float32 planar pixels and prints, per row, the predicted label and the scores.
// Usage: OctaveML.ModelLoadCheck <model.zip> <pixels.f32> <feature column> <score column> <predicted label column>
if (args.Length != 5)
{
    Console.Error.WriteLine("usage: OctaveML.ModelLoadCheck <model.zip> <pixels.f32> <feature column> <score column> <predicted label column>");
    return 2;
}
var (zip, pixelFile, feature, score, predicted) = (args[0], args[1], args[2], args[3], args[4]);

var ml = new MLContext();
var model = ml.Model.Load(zip, out var inputSchema);
int size = ((VectorDataViewType)inputSchema[feature].Type).Size;
var pixels = File.ReadAllBytes(pixelFile).AsSpan();
var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(pixels).ToArray();
var rows = Enumerable.Range(0, values.Length / size).Select(i => new PixelRow { Pixels = values.AsSpan(i * size, size).ToArray() }).ToList();

var definition = SchemaDefinition.Create(typeof(PixelRow));
var column = definition[nameof(PixelRow.Pixels)];
column.ColumnName = feature;
column.ColumnType = new VectorDataViewType(NumberDataViewType.Single, size);
var scored = model.Transform(ml.Data.LoadFromEnumerable(rows, definition));
var labelled = ml.Transforms.Conversion.MapKeyToValue(predicted).Fit(scored).Transform(scored);
var labels = labelled.GetColumn<ReadOnlyMemory<char>>(predicted).ToArray();
var scores = labelled.GetColumn<float[]>(score).ToArray();
for (int i = 0; i < labels.Length; i++)
    Console.WriteLine($"{labels[i]}\t{string.Join(" ", scores[i].Select(s => s.ToString("R", CultureInfo.InvariantCulture)))}");
((IDisposable)model).Dispose();
return 0;

/// <summary>One input row: the planar pixels (renamed and sized by a schema definition at run time).</summary>
public sealed class PixelRow
{
    public float[] Pixels { get; set; } = [];
}
