using OctaveML.Tensors;

namespace OctaveML.Training;

/// <summary>Top-1 hits of a batch of logits: the rows whose largest entry (the first on ties) is the label.</summary>
internal static class TopOne
{
    public static int CountCorrect(Tensor logits, ReadOnlySpan<int> labels, int classes)
    {
        int correct = 0;
        for (int n = 0; n < labels.Length; n++)
        {
            var row = logits.Data.AsSpan(n * classes, classes);
            int arg = 0;
            for (int k = 1; k < classes; k++) if (row[k] > row[arg]) arg = k;
            if (arg == labels[n]) correct++;
        }
        return correct;
    }
}
