using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace OctaveML.MLNet;

/// <summary>
/// Checks a data view's label, feature and image-path columns and reads what training needs from their
/// types: the class names and the image shape. Errors name the column, the option and the fix.
/// </summary>
internal static class TrainingColumns
{
    /// <summary>The label column's class names: its KeyValues, or "1".."n" when it has none.</summary>
    public static string[] ClassNames(DataViewSchema schema, string labelColumnName, string data)
    {
        var column = Find(schema, labelColumnName, nameof(OctaveTrainerOptions.LabelColumnName), "label", data);
        if (column.Type is not KeyDataViewType key)
            throw new ArgumentException(
                $"label column '{labelColumnName}' of {data} has type {column.Type}; it must be a key type. " +
                $"Apply MapValueToKey(\"{labelColumnName}\") before the trainer.", nameof(OctaveTrainerOptions.LabelColumnName));
        if (key.RawType != typeof(uint))
            throw new ArgumentException(
                $"label column '{labelColumnName}' of {data} is a key of {key.RawType.Name}; the trainer reads UInt32 keys, as MapValueToKey makes them.",
                nameof(OctaveTrainerOptions.LabelColumnName));
        if (key.Count < 2 || key.Count > int.MaxValue)
            throw new ArgumentException($"label column '{labelColumnName}' of {data} has {key.Count} key values; a classifier needs at least 2.",
                nameof(OctaveTrainerOptions.LabelColumnName));
        int count = (int)key.Count;
        if (column.Annotations.Schema.GetColumnOrNull("KeyValues") is { Type: VectorDataViewType { ItemType: TextDataViewType } })
        {
            VBuffer<ReadOnlyMemory<char>> values = default;
            column.GetKeyValues(ref values);
            var names = values.DenseValues().Select(v => v.ToString()).ToArray();
            if (names.Length == count) return names;
        }
        return Enumerable.Range(1, count).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>
    /// The planar [C, H, W] shape of the feature column: its dimensions when it has three (as
    /// ExtractPixels declares them), else from the one image column whose size fits.
    /// </summary>
    public static ImageShape FeatureShape(DataViewSchema schema, string featureColumnName, string data)
    {
        var column = Find(schema, featureColumnName, nameof(OctaveTrainerOptions.FeatureColumnName), "feature", data);
        if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType n } vector || n.RawType != typeof(float) || !vector.IsKnownSize)
            throw new ArgumentException(
                $"feature column '{featureColumnName}' of {data} has type {column.Type}; it must be a known-size vector of Single " +
                "(planar pixels, as ExtractPixels makes after ResizeImages).", nameof(OctaveTrainerOptions.FeatureColumnName));
        var dims = vector.Dimensions;
        if (dims.Length == 3)
        {
            if (dims[2] is 1 or 3 or 4 && dims[0] is not (1 or 3 or 4))
                throw new ArgumentException(
                    $"feature column '{featureColumnName}' of {data} has dimensions [{string.Join(", ", dims)}], interleaved pixels [H, W, C]; " +
                    "the trainer needs planar pixels [C, H, W]: ExtractPixels with interleavePixelColors: false (its default).",
                    nameof(OctaveTrainerOptions.FeatureColumnName));
            return new ImageShape(dims[0], dims[1], dims[2]);
        }
        var fits = schema.Where(c => c.Type is ImageDataViewType { Height: > 0, Width: > 0 } i && vector.Size % (i.Height * i.Width) == 0
                                     && vector.Size / (i.Height * i.Width) is >= 1 and <= 4)
            .Select(c => (ImageDataViewType)c.Type).Select(i => new ImageShape(vector.Size / (i.Height * i.Width), i.Height, i.Width))
            .Distinct().ToArray();
        if (fits.Length == 1) return fits[0];
        throw new ArgumentException(
            $"feature column '{featureColumnName}' of {data} is a vector of {vector.Size} values without image dimensions, and " +
            (fits.Length == 0 ? "no image column of the data has a size it fits" : $"image columns of several sizes fit it ({string.Join(", ", fits)})") +
            "; the trainer needs the [C, H, W] shape. Give it the column ExtractPixels makes (after ResizeImages to a fixed size).",
            nameof(OctaveTrainerOptions.FeatureColumnName));
    }

    /// <summary>The image path column, or null when the data has none (and the option keeps its default) or checks are off.</summary>
    public static DataViewSchema.Column? ImagePath(DataViewSchema schema, string? imagePathColumnName, string data)
    {
        if (imagePathColumnName is null) return null;
        var column = schema.GetColumnOrNull(imagePathColumnName);
        if (column is null)
        {
            if (imagePathColumnName == DefaultImagePathColumnName) return null;
            throw new ArgumentException(
                $"image path column '{imagePathColumnName}' (Options.{nameof(OctaveTrainerOptions.ImagePathColumnName)}) is not in {data}; " +
                $"its columns are {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => $"'{c.Name}'"))}. Set it to null to train without checking files.",
                nameof(OctaveTrainerOptions.ImagePathColumnName));
        }
        if (column.Value.Type is not TextDataViewType)
            throw new ArgumentException(
                $"image path column '{imagePathColumnName}' of {data} has type {column.Value.Type}; it must be text (the column LoadImages reads). " +
                $"Set Options.{nameof(OctaveTrainerOptions.ImagePathColumnName)} to the path column, or to null to train without checking files.",
                nameof(OctaveTrainerOptions.ImagePathColumnName));
        return column;
    }

    /// <summary>The default of <see cref="OctaveTrainerOptions.ImagePathColumnName"/>: used when present, ignored when not.</summary>
    public const string DefaultImagePathColumnName = "ImagePath";

    private static DataViewSchema.Column Find(DataViewSchema schema, string name, string option, string role, string data) =>
        schema.GetColumnOrNull(name) ?? throw new ArgumentException(
            $"{role} column '{name}' (Options.{option}) is not in {data}; its columns are " +
            $"{string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => $"'{c.Name}'"))}.", option);
}
