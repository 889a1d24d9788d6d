using OctaveML.Pipeline;

namespace OctaveML.Tests.Pipeline;

public class MetricsTests
{
    private static readonly string[] Abc = ["a", "b", "c"];

    // Four instances, three classes; every number below is worked out by hand in the comments.
    private static MulticlassClassificationMetrics HandCase(int topK = 2) => MulticlassEvaluator.Compute(
        [0, 1, 2, 0],
        [
            [0.7f, 0.2f, 0.1f], // truth a, predicted a, rank 0
            [0.5f, 0.4f, 0.1f], // truth b, predicted a, rank 1
            [0.2f, 0.2f, 0.6f], // truth c, predicted c, rank 0
            [0.3f, 0.3f, 0.4f], // truth a, predicted c, rank 1 (b ties a but comes after it)
        ], 3, Abc, topK);

    [Fact]
    public void Accuracies_are_micro_and_macro_over_present_classes()
    {
        var m = HandCase();
        m.MicroAccuracy.Should().Be(0.5);                         // 2 of 4
        m.MacroAccuracy.Should().BeApproximately((0.5 + 0 + 1) / 3, 1e-12); // recalls 1/2, 0/1, 1/1
    }

    [Fact]
    public void LogLoss_and_reduction_follow_the_definitions()
    {
        var m = HandCase();
        double ll = -(Math.Log(0.7f) + Math.Log(0.4f) + Math.Log(0.6f) + Math.Log(0.3f)) / 4;
        m.LogLoss.Should().BeApproximately(ll, 1e-12);
        double h = 1.5 * Math.Log(2); // class frequencies 1/2, 1/4, 1/4
        m.LogLossReduction.Should().BeApproximately((h - ll) / h, 1e-12);
        m.PerClassLogLoss[0].Should().BeApproximately(-(Math.Log(0.7f) + Math.Log(0.3f)) / 2, 1e-12);
        m.PerClassLogLoss[1].Should().BeApproximately(-Math.Log(0.4f), 1e-12);
        m.PerClassLogLoss[2].Should().BeApproximately(-Math.Log(0.6f), 1e-12);
    }

    [Fact]
    public void TopK_counts_ranks_with_ties_to_the_lower_index()
    {
        var m = HandCase(topK: 3);
        m.TopKPredictionCount.Should().Be(3);
        m.TopKAccuracyForAllK.Should().Equal(0.5, 1.0, 1.0);
        m.TopKAccuracy.Should().Be(1.0);
        var none = HandCase(topK: 0);
        none.TopKAccuracyForAllK.Should().BeNull();
        none.TopKAccuracy.Should().Be(0);
    }

    [Fact]
    public void Confusion_matrix_counts_precision_and_recall()
    {
        var cm = HandCase().ConfusionMatrix;
        cm.NumberOfClasses.Should().Be(3);
        cm.Counts[0].Should().Equal(1, 0, 1);
        cm.Counts[1].Should().Equal(1, 0, 0);
        cm.Counts[2].Should().Equal(0, 0, 1);
        cm.GetCountForClassPair(predictedClassIndicatorIndex: 2, actualClassIndicatorIndex: 0).Should().Be(1);
        cm.PerClassPrecision.Should().Equal(0.5, 0.0, 0.5);
        cm.PerClassRecall.Should().Equal(0.5, 0.0, 1.0);
        string table = cm.GetFormattedConfusionTable();
        table.Should().Contain("PREDICTED").And.Contain("Recall").And.Contain("Precision").And.Contain("0.5000").And.Contain("1.0000");
        table.Split('\n').Should().Contain(l => l.TrimStart().StartsWith("c ||"));
    }

    [Fact]
    public void Argmax_ties_go_to_the_lower_class()
    {
        var m = MulticlassEvaluator.Compute([1, 0], [[0.5f, 0.5f], [0.5f, 0.5f]], 2, ["x", "y"], 2);
        m.ConfusionMatrix.Counts[1].Should().Equal(1, 0); // truth 1 predicted 0
        m.ConfusionMatrix.Counts[0].Should().Equal(1, 0);
        m.MicroAccuracy.Should().Be(0.5);
        m.TopKAccuracyForAllK.Should().Equal(0.5, 1.0);
    }

    [Fact]
    public void Probabilities_are_clipped_at_1e_15()
    {
        var m = MulticlassEvaluator.Compute([0], [[0f, 1f]], 2, ["x", "y"]);
        m.LogLoss.Should().BeApproximately(-Math.Log(1e-15), 1e-9);
        m.LogLoss.Should().BeApproximately(34.538776, 1e-5);
    }

    [Fact]
    public void Absent_classes_do_not_count_in_macro_accuracy_and_skipped_rows_are_ignored()
    {
        var m = MulticlassEvaluator.Compute([0, 1, -1], [[0.9f, 0.05f, 0.05f], [0.9f, 0.05f, 0.05f], [0f, 0f, 1f]], 3, Abc);
        m.MacroAccuracy.Should().Be(0.5); // classes a (1/1) and b (0/1); c absent
        m.MicroAccuracy.Should().Be(0.5);
        m.PerClassLogLoss[2].Should().Be(0);
        m.ConfusionMatrix.PerClassRecall[2].Should().Be(0);
    }

    [Fact]
    public void A_perfect_classifier_has_reduction_near_one()
    {
        var m = MulticlassEvaluator.Compute([0, 1], [[1f, 0f], [0f, 1f]], 2, ["x", "y"]);
        m.LogLoss.Should().Be(0);
        m.LogLossReduction.Should().Be(1);
    }

    [Fact]
    public void Evaluate_reads_key_labels_and_scores_from_a_data_view()
    {
        var ctx = new OctaveContext(seed: 1);
        var rows = new[]
        {
            new Scored { Label = "a", Score = [0.7f, 0.2f, 0.1f] },
            new Scored { Label = "b", Score = [0.5f, 0.4f, 0.1f] },
            new Scored { Label = "c", Score = [0.2f, 0.2f, 0.6f] },
            new Scored { Label = "a", Score = [0.3f, 0.3f, 0.4f] },
        };
        var data = ctx.Data.LoadFromEnumerable(rows);
        var keyed = ctx.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
        var m = ctx.MulticlassClassification.Evaluate(keyed, topKPredictionCount: 2);
        var hand = HandCase();
        m.LogLoss.Should().BeApproximately(hand.LogLoss, 1e-12);
        m.MacroAccuracy.Should().BeApproximately(hand.MacroAccuracy, 1e-12);
        m.TopKAccuracyForAllK.Should().Equal(hand.TopKAccuracyForAllK);
        m.ConfusionMatrix.ClassNames.Should().Equal("a", "b", "c");

        var unkeyed = () => ctx.MulticlassClassification.Evaluate(data);
        unkeyed.Should().Throw<ArgumentException>().WithMessage("*'Label'*String*MapValueToKey*");
        var noScore = () => ctx.MulticlassClassification.Evaluate(keyed, scoreColumnName: "Probability");
        noScore.Should().Throw<ArgumentException>().WithMessage("*'Probability' not found*'Label'*'Score'*");
    }

    public sealed class Scored
    {
        public string Label { get; set; } = "";
        [VectorType(3)]
        public float[] Score { get; set; } = [];
    }
}
