using System.IO.Compression;
using OctaveML.Pipeline;

namespace OctaveML.Tests.Pipeline;

public class ModelFileTests
{
    public sealed class Input
    {
        public string ImagePath { get; set; } = "";
        public string Label { get; set; } = "";
    }

    public sealed class Output
    {
        public uint Label { get; set; }
        public float[] Features { get; set; } = [];
    }

    private static (OctaveContext Ctx, IDataView Data, ITransformer Model, string Root) Preprocessing()
    {
        string root = PipelineTestImages.WriteFolder("model", perClass: 2);
        var ctx = new OctaveContext(1);
        var data = ctx.Data.LoadFromImageFolder(root);
        var model = ctx.Transforms.Conversion.MapValueToKey("Label")
            .Append(ctx.Transforms.LoadImages("Image", root, "ImagePath"))
            .Append(ctx.Transforms.ResizeImages("Image", 6, 5, resizing: OctaveML.Imaging.ResizingKind.IsoPad, cropAnchor: OctaveML.Imaging.Anchor.Top))
            .Append(ctx.Transforms.ExtractPixels("Features", "Image", offsetImage: 10, scaleImage: 0.5f))
            .Fit(data);
        return (ctx, data, model, root);
    }

    [Fact]
    public void Save_and_load_round_trip_gives_identical_outputs_and_schema()
    {
        var (ctx, data, model, root) = Preprocessing();
        string file = Path.Combine(root, "model.zip");
        try
        {
            ctx.Model.Save(model, data.Schema, file);
            Directory.GetFiles(root).Should().Equal(file); // no temporary file left behind
            var loaded = ctx.Model.Load(file, out var schema);
            schema.Select(c => c.ToString()).Should().Equal(data.Schema.Select(c => c.ToString()));
            var before = ctx.Data.CreateEnumerable<Output>(model.Transform(data)).ToArray();
            var after = ctx.Data.CreateEnumerable<Output>(loaded.Transform(data)).ToArray();
            after.Select(o => o.Label).Should().Equal(before.Select(o => o.Label));
            for (int i = 0; i < before.Length; i++) after[i].Features.Should().Equal(before[i].Features);
            loaded.GetOutputSchema(schema)["Label"].KeyValues.Should().Equal("green", "red", "stripes");

            using var zip = ZipFile.OpenRead(file);
            zip.Entries.Select(e => e.FullName).Should().Contain(["octaveml-model.json", "schema.json", "pipeline.json"]);
        }
        finally { Directory.Delete(root, true); }
    }

    [Fact]
    public void Damaged_foreign_and_newer_files_are_refused_naming_the_file()
    {
        var (ctx, data, model, root) = Preprocessing();
        string file = Path.Combine(root, "model.zip");
        try
        {
            ctx.Model.Save(model, data.Schema, file);
            byte[] good = File.ReadAllBytes(file);

            // A changed pipeline entry (valid zip, wrong checksum).
            string edited = Path.Combine(root, "edited.zip");
            File.Copy(file, edited);
            using (var zip = ZipFile.Open(edited, ZipArchiveMode.Update))
            {
                var entry = zip.GetEntry("pipeline.json")!;
                string text;
                using (var r = new StreamReader(entry.Open())) text = r.ReadToEnd();
                entry.Delete();
                using var w = new StreamWriter(zip.CreateEntry("pipeline.json").Open());
                w.Write(text.Replace("\"imageWidth\": 6", "\"imageWidth\": 7"));
            }
            var damaged = () => ctx.Model.Load(edited, out _);
            damaged.Should().Throw<ModelFormatException>().WithMessage("*edited.zip*pipeline.json*damaged*SHA-256*");

            // Truncated bytes.
            string truncated = Path.Combine(root, "truncated.zip");
            File.WriteAllBytes(truncated, good[..(good.Length / 2)]);
            var cut = () => ctx.Model.Load(truncated, out _);
            cut.Should().Throw<ModelFormatException>().Which.FileName.Should().Be(truncated);

            // A flipped byte anywhere is refused, or hit a byte without meaning (zip timestamps...) and
            // changes nothing: never a silently different model.
            var expected = ctx.Data.CreateEnumerable<Output>(model.Transform(data)).SelectMany(o => o.Features).ToArray();
            int refused = 0;
            for (int at = 0; at < good.Length; at += 13)
            {
                var bytes = (byte[])good.Clone();
                bytes[at] ^= 0x5A;
                ITransformer? loaded = null;
                try { loaded = ctx.Model.Load(new MemoryStream(bytes), out _); }
                catch (ModelFormatException) { refused++; }
                if (loaded is not null)
                    ctx.Data.CreateEnumerable<Output>(loaded.Transform(data)).SelectMany(o => o.Features).Should().Equal(expected);
            }
            refused.Should().BeGreaterThan(good.Length / 13 / 2);

            // A zip that is not a model.
            string foreign = Path.Combine(root, "foreign.zip");
            using (var zip = ZipFile.Open(foreign, ZipArchiveMode.Create))
            using (var w = new StreamWriter(zip.CreateEntry("readme.txt").Open())) w.Write("hello");
            var notModel = () => ctx.Model.Load(foreign, out _);
            notModel.Should().Throw<ModelFormatException>().WithMessage("*foreign.zip*not an OctaveML model*");

            // A newer format version.
            string newer = Path.Combine(root, "newer.zip");
            File.Copy(file, newer);
            using (var zip = ZipFile.Open(newer, ZipArchiveMode.Update))
            {
                var entry = zip.GetEntry("octaveml-model.json")!;
                string text;
                using (var r = new StreamReader(entry.Open())) text = r.ReadToEnd();
                entry.Delete();
                using var w = new StreamWriter(zip.CreateEntry("octaveml-model.json").Open());
                w.Write(text.Replace("\"version\": 1", "\"version\": 99"));
            }
            var future = () => ctx.Model.Load(newer, out _);
            future.Should().Throw<ModelFormatException>().WithMessage("*newer.zip*version 99*not supported*");

            // Not a zip at all.
            File.WriteAllText(truncated, "plain text");
            var text2 = () => ctx.Model.Load(truncated, out _);
            text2.Should().Throw<ModelFormatException>().WithMessage("*truncated.zip*zip*");
        }
        finally { Directory.Delete(root, true); }
    }

    [Fact]
    public void Save_checks_the_model_against_the_schema()
    {
        var (ctx, _, model, root) = Preprocessing();
        try
        {
            var other = ctx.Data.LoadFromEnumerable(new[] { new Output { Label = 1 } });
            var save = () => ctx.Model.Save(model, other.Schema, Path.Combine(root, "x.zip"));
            save.Should().Throw<ArgumentException>().WithMessage("*'ImagePath' not found*");
            File.Exists(Path.Combine(root, "x.zip")).Should().BeFalse();
        }
        finally { Directory.Delete(root, true); }
    }
}

public class PredictionEngineTests
{
    public sealed class In
    {
        [ColumnName("Label")]
        public string Animal { get; set; } = "";
    }

    public sealed class Out
    {
        [ColumnName("Label")]
        public uint Key { get; set; }
        public string Name { get; set; } = "";
        public float NotThere { get; set; } = -1;
    }

    [Fact]
    public void Predict_maps_properties_to_columns_and_back_by_name_or_attribute()
    {
        var ctx = new OctaveContext(1);
        var data = ctx.Data.LoadFromEnumerable(new[] { new In { Animal = "cat" }, new In { Animal = "dog" } });
        var model = ctx.Transforms.Conversion.MapValueToKey("Label")
            .Append(ctx.Transforms.Conversion.MapKeyToValue("Name", "Label")).Fit(data);
        var engine = ctx.Model.CreatePredictionEngine<In, Out>(model);
        var dog = engine.Predict(new In { Animal = "dog" });
        dog.Key.Should().Be(2u);
        dog.Name.Should().Be("dog");
        dog.NotThere.Should().Be(-1); // no such column: left alone (ignoreMissingColumns defaults to true)
        engine.Predict(new In { Animal = "emu" }).Key.Should().Be(0u);

        var strict = () => ctx.Model.CreatePredictionEngine<In, Out>(model, ignoreMissingColumns: false);
        strict.Should().Throw<ArgumentException>().WithMessage("*'NotThere' not found*");
        var wrongInput = () => ctx.Model.CreatePredictionEngine<TransformTests.TextRow, Out>(model);
        wrongInput.Should().Throw<ArgumentException>().WithMessage("*'Label' not found*'Text' (String)*");

        // Calls from several threads are serialised and stay correct.
        Parallel.For(0, 64, i => engine.Predict(new In { Animal = i % 2 == 0 ? "cat" : "dog" }).Key.Should().Be(i % 2 == 0 ? 1u : 2u));
    }
}
