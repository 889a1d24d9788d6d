using Microsoft.ML;

namespace OctaveML.MLNet;

/// <summary>
/// The output schema shape of a fitted OctaveML model, in ML.NET's terms: the input columns plus Score
/// (a known-size Single vector whose SlotNames are the class names) and PredictedLabel (a key with the
/// label's KeyValues). ML.NET keeps SchemaShape.Column's constructor internal, so the columns come from
/// in-box estimators' GetOutputSchema: LbfgsMaximumEntropy's Score passed through Concatenate (which
/// keeps only its SlotNames) and a CopyColumns of the label.
/// </summary>
internal static class ScoreSchemaShape
{
    public static SchemaShape Of(MLContext ml, SchemaShape input, string labelColumnName, string featureColumnName,
        string scoreColumnName, string predictedLabelColumnName)
    {
        var borrowed = ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(labelColumnName, featureColumnName).GetOutputSchema(input);
        var named = ml.Transforms.Concatenate(scoreColumnName, "Score")
            .Append(ml.Transforms.CopyColumns(predictedLabelColumnName, labelColumnName))
            .GetOutputSchema(borrowed);
        var columns = input.Where(c => c.Name != scoreColumnName && c.Name != predictedLabelColumnName).ToList();
        columns.Add(named.First(c => c.Name == scoreColumnName));
        columns.Add(named.First(c => c.Name == predictedLabelColumnName));
        return new SchemaShape(columns);
    }
}
