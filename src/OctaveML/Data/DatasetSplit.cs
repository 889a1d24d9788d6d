using OctaveML.Tensors;
namespace OctaveML.Data;

/// <summary>Train/validation splits of a dataset, returned as <see cref="DatasetSubset"/> views.</summary>
public static class DatasetSplit
{
    /// <summary>
    /// A stratified split: each class is split on its own, so both parts keep the class proportions.
    /// For every class c with n_c images, round(n_c * <paramref name="validationFraction"/>) (halves
    /// rounded up) go to validation, chosen by a shuffle seeded from (<paramref name="seed"/>, c);
    /// the rest go to training. Deterministic: the same dataset labels, fraction and seed give the
    /// same split. Both subsets list their source indices in ascending order.
    /// </summary>
    public static (DatasetSubset Train, DatasetSubset Validation) Stratified(IImageDataset dataset, double validationFraction, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (!(validationFraction >= 0 && validationFraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "validationFraction must be in [0, 1].");
        int classes = dataset.ClassNames.Count;
        var byClass = new List<int>[classes];
        for (int c = 0; c < classes; c++) byClass[c] = [];
        for (int i = 0; i < dataset.Count; i++)
        {
            int label = dataset.GetLabel(i);
            if ((uint)label >= (uint)classes)
                throw new ArgumentException($"image {i} has label {label}, outside [0, {classes}).", nameof(dataset));
            byClass[label].Add(i);
        }
        var train = new List<int>(dataset.Count);
        var validation = new List<int>();
        for (int c = 0; c < classes; c++)
        {
            var members = byClass[c].ToArray();
            Rng.Derive(seed, 0x5EC1_7A11UL, (ulong)c).Shuffle(members.AsSpan());
            int nVal = (int)Math.Floor(members.Length * validationFraction + 0.5);
            validation.AddRange(members.AsSpan(0, nVal));
            train.AddRange(members.AsSpan(nVal));
        }
        train.Sort();
        validation.Sort();
        return (new DatasetSubset(dataset, train.ToArray()), new DatasetSubset(dataset, validation.ToArray()));
    }
}
