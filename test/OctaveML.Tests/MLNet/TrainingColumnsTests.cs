using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace OctaveML.Tests.MLNet;

public class TrainingColumnsTests
{
    private static readonly MLContext Ml = new(1);

    public sealed class VectorRow
    {
        [VectorType(3, 4, 4)] public float[] Features { get; set; } = new float[48];
        public string Label { get; set; } = "a";
    }

    private static IDataView Vectors(int rows = 4) => Ml.Data.LoadFromEnumerable(Enumerable.Range(0, rows).Select(i => new VectorRow { Label = i % 2 == 0 ? "a" : "b" }));

    private static IDataView Keyed(IDataView data) => Ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);

    private static Exception TrainError(IDataView data, OctCifarResNetTrainer.Options? options = null)
    {
        var trainer = Ml.MulticlassClassification.Trainers.OctCifarResNet(options ?? new OctCifarResNetTrainer.Options { Epoch = 1 });
        return ((Action)(() => trainer.Train(data))).Should().Throw<Exception>().Which;
    }

    [Fact]
    public void A_label_that_is_not_a_key_is_rejected_naming_the_column_and_MapValueToKey()
    {
        var e = TrainError(Vectors());
        e.Should().BeOfType<ArgumentException>().Which.ParamName.Should().Be("LabelColumnName");
        e.Message.Should().Contain("label column 'Label'").And.Contain("String").And.Contain("MapValueToKey(\"Label\")");
    }

    public sealed class ByteKeyRow
    {
        [VectorType(3, 4, 4)] public float[] Features { get; set; } = new float[48];
        [KeyType(3)] public byte Label { get; set; } = 1;
    }

    [Fact]
    public void A_label_key_of_another_raw_type_is_rejected_naming_the_column()
    {
        var e = TrainError(Ml.Data.LoadFromEnumerable(new[] { new ByteKeyRow(), new ByteKeyRow { Label = 2 } }));
        e.Message.Should().Contain("label column 'Label' of the training data is a key of Byte; the trainer reads UInt32 keys");
    }

    [Fact]
    public void A_missing_label_column_is_rejected_naming_it_and_the_option()
    {
        var e = TrainError(Keyed(Vectors()), new OctCifarResNetTrainer.Options { LabelColumnName = "Class" });
        e.Message.Should().Contain("label column 'Class' (Options.LabelColumnName) is not in the training data").And.Contain("'Features'");
    }

    [Fact]
    public void A_missing_feature_column_is_rejected_naming_it_and_the_option()
    {
        var e = TrainError(Keyed(Vectors()), new OctCifarResNetTrainer.Options { FeatureColumnName = "Pixels" });
        e.Should().BeOfType<ArgumentException>().Which.ParamName.Should().Be("FeatureColumnName");
        e.Message.Should().Contain("feature column 'Pixels' (Options.FeatureColumnName) is not in the training data");
    }

    [Fact]
    public void Features_that_are_not_a_known_size_Single_vector_are_rejected_naming_the_column()
    {
        var doubles = Ml.Transforms.Conversion.ConvertType("Features", outputKind: DataKind.Double);
        var data = Keyed(Vectors());
        TrainError(doubles.Fit(data).Transform(data)).Message.Should().Contain("feature column 'Features'").And.Contain("Vector<Double, 3, 4, 4>")
            .And.Contain("known-size vector of Single");

        var text = Keyed(Ml.Data.LoadFromEnumerable(new[] { new ImageRow { ImagePath = "x", Label = "a" }, new ImageRow { ImagePath = "y", Label = "b" } }));
        TrainError(text, new OctCifarResNetTrainer.Options { FeatureColumnName = "ImagePath" }).Message.Should().Contain("feature column 'ImagePath'").And.Contain("has type String");
    }

    [Fact]
    public void Interleaved_pixels_are_rejected_with_the_fix()
    {
        var data = Ml.Data.LoadFromEnumerable(MLNetImages.FashionRows(2));
        var interleaved = Ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(Ml.Transforms.LoadImages("Image", MLNetImages.FashionFolder, "ImagePath"))
            .Append(Ml.Transforms.ResizeImages("Image", 8, 8))
            .Append(Ml.Transforms.ExtractPixels("Features", "Image", interleavePixelColors: true));

        var e = TrainError(interleaved.Fit(data).Transform(data));

        e.Message.Should().Contain("[8, 8, 3], interleaved pixels [H, W, C]").And.Contain("interleavePixelColors: false");
    }

    [Fact]
    public void Flat_features_take_their_shape_from_the_image_column()
    {
        var data = Ml.Data.LoadFromEnumerable(MLNetImages.FashionRows(3, ["Bag", "Trouser"]));
        var planes = Ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(Ml.Transforms.LoadImages("Image", MLNetImages.FashionFolder, "ImagePath"))
            .Append(Ml.Transforms.ResizeImages("Image", 8, 8))
            .Append(Ml.Transforms.ExtractPixels("R", "Image", Microsoft.ML.Transforms.Image.ImagePixelExtractingEstimator.ColorBits.Red))
            .Append(Ml.Transforms.ExtractPixels("G", "Image", Microsoft.ML.Transforms.Image.ImagePixelExtractingEstimator.ColorBits.Green))
            .Append(Ml.Transforms.Concatenate("Features", "R", "G"));
        var flat = planes;
        var prepared = flat.Fit(data).Transform(data);
        ((VectorDataViewType)prepared.Schema["Features"].Type).Dimensions.Should().Equal(128);

        var trained = Ml.MulticlassClassification.Trainers.OctCifarResNet(new OctCifarResNetTrainer.Options { Epoch = 1, BatchSize = 6 }).Train(prepared);

        trained.Report.ImageShape.Should().Be((2, 8, 8));
    }

    [Fact]
    public void Flat_features_without_an_image_column_are_rejected_saying_the_shape_is_unknown()
    {
        var data = Keyed(Vectors());
        var flat = Ml.Transforms.CopyColumns("Pixels", "Features").Append(Ml.Transforms.Concatenate("Features", "Pixels", "Pixels"));

        var e = TrainError(flat.Fit(data).Transform(data));

        e.Message.Should().Contain("feature column 'Features'").And.Contain("96 values without image dimensions").And.Contain("[C, H, W]");
    }

    [Fact]
    public void An_image_path_column_that_is_not_text_is_rejected_naming_the_option()
    {
        var data = Keyed(Vectors());
        var withNumber = Ml.Transforms.CopyColumns("ImagePath", "Features");

        var e = TrainError(withNumber.Fit(data).Transform(data));

        e.Should().BeOfType<ArgumentException>().Which.ParamName.Should().Be("ImagePathColumnName");
        e.Message.Should().Contain("image path column 'ImagePath'").And.Contain("must be text");
    }

    [Fact]
    public void A_named_image_path_column_that_is_missing_is_rejected_but_the_default_is_optional()
    {
        var data = Keyed(Vectors());
        TrainError(data, new OctCifarResNetTrainer.Options { Epoch = 1, ImagePathColumnName = "File" })
            .Message.Should().Contain("image path column 'File' (Options.ImagePathColumnName) is not in the training data");

        var trained = Ml.MulticlassClassification.Trainers.OctCifarResNet(new OctCifarResNetTrainer.Options { Epoch = 1, BatchSize = 4 }).Train(data);
        trained.Report.CheckedImageFiles.Should().Be(0);
    }

    [Fact]
    public void Training_data_of_one_class_is_rejected()
    {
        var keys = Ml.Transforms.Conversion.MapValueToKey("Label").Fit(Vectors());
        var onlyA = keys.Transform(Ml.Data.LoadFromEnumerable(Enumerable.Range(0, 4).Select(_ => new VectorRow { Label = "a" })));

        TrainError(onlyA).Message.Should().Contain("all of one class ('a' in column 'Label')");
    }

    [Fact]
    public void A_ValidationSet_with_other_label_keys_or_another_image_size_is_rejected()
    {
        var data = Keyed(Vectors());
        var otherKeys = Keyed(Ml.Data.LoadFromEnumerable(new[] { new VectorRow { Label = "a" }, new VectorRow { Label = "c" } }));
        TrainError(data, new OctCifarResNetTrainer.Options { ValidationSet = otherKeys })
            .Message.Should().Contain("the ValidationSet's label keys (a, c) differ from the training data's (a, b)");

        var rows = Ml.Data.LoadFromEnumerable(MLNetImages.FashionRows(2, ["Bag", "Trouser"]));
        var small = MLNetImages.Preprocessing(Ml, MLNetImages.FashionFolder, 5).Fit(rows).Transform(rows);
        var large = MLNetImages.Preprocessing(Ml, MLNetImages.FashionFolder, 8).Fit(rows).Transform(rows);
        TrainError(large, new OctCifarResNetTrainer.Options { ValidationSet = small })
            .Message.Should().Contain("the ValidationSet's 'Features' is [3, 5, 5]; the training data's is [3, 8, 8]");
    }

    [Fact]
    public void GetOutputSchema_describes_the_columns_the_fitted_model_adds()
    {
        var data = MLNetImages.Prepared(Ml, MLNetImages.FashionRows(3), MLNetImages.FashionFolder, 8);
        var trainer = Ml.MulticlassClassification.Trainers.OctCifarResNet(new OctCifarResNetTrainer.Options { Epoch = 1, BatchSize = 9 });

        var described = trainer.GetOutputSchema(Shape(data));
        var actual = Shape(trainer.Fit(data).Transform(data));

        Describe(described).Should().Equal(Describe(actual));
        Describe(described).Should().EndWith([
            "Score Vector Single key=False SlotNames:Vector:String",
            "PredictedLabel Scalar UInt32 key=True KeyValues:Vector:String"]);
        var theirs = Ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy().GetOutputSchema(Shape(data));
        described.Select(c => (c.Name, c.Kind, c.ItemType, c.IsKey)).Should().Equal(theirs.Select(c => (c.Name, c.Kind, c.ItemType, c.IsKey)),
            "the same columns and types as ML.NET's own multiclass trainers");
    }

    [Fact]
    public void GetOutputSchema_uses_the_column_names_of_the_options()
    {
        var input = Shape(Keyed(Vectors()));
        var ours = Ml.MulticlassClassification.Trainers.OctCifarResNet(new OctCifarResNetTrainer.Options { ScoreColumnName = "Probabilities", PredictedLabelColumnName = "Guess" })
            .GetOutputSchema(input);

        Describe(ours).Should().Equal(
            "Features Vector Single key=False ",
            "Label Scalar UInt32 key=True KeyValues:Vector:String",
            "Probabilities Vector Single key=False SlotNames:Vector:String",
            "Guess Scalar UInt32 key=True KeyValues:Vector:String");
    }

    [Fact]
    public void GetOutputSchema_rejects_wrong_columns_naming_them()
    {
        var trainers = Ml.MulticlassClassification.Trainers;
        ((Action)(() => trainers.OctMobileNet().GetOutputSchema(Shape(Vectors())))).Should().Throw<ArgumentException>()
            .Which.Message.Should().Contain("label column 'Label' must be a key type");
        ((Action)(() => trainers.OctMobileNet(featureColumnName: "Label").GetOutputSchema(Shape(Keyed(Vectors()))))).Should().Throw<ArgumentException>()
            .Which.Message.Should().Contain("FeatureColumnName");
        ((Action)(() => trainers.OctMobileNet(featureColumnName: "Pixels").GetOutputSchema(Shape(Keyed(Vectors()))))).Should().Throw<ArgumentException>()
            .Which.Message.Should().Contain("feature column 'Pixels' (Options.FeatureColumnName) is not in the input schema");
    }

    /// <summary>ML.NET keeps SchemaShape.Create(DataViewSchema) internal; tests call it to have an input shape.</summary>
    internal static SchemaShape Shape(IDataView data) =>
        (SchemaShape)typeof(SchemaShape).GetMethod("Create", BindingFlags.NonPublic | BindingFlags.Static)!.Invoke(null, [data.Schema])!;

    private static List<string> Describe(SchemaShape shape) =>
        shape.Select(c => $"{c.Name} {c.Kind} {c.ItemType} key={c.IsKey} " + string.Join(",", c.Annotations.Select(a => $"{a.Name}:{a.Kind}:{a.ItemType}"))).ToList();
}
