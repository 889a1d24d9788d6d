namespace OctaveML.Data.Augmentations;

/// <summary>Per-channel mean and standard deviation of a dataset's [0, 1] pixels, for <see cref="Normalize"/>.</summary>
public static class ChannelStatistics
{
    /// <summary>
    /// The mean and the population standard deviation of every channel over all pixels of all
    /// images (or of the first <paramref name="maxImages"/>), accumulated in double precision.
    /// </summary>
    public static (float[] Mean, float[] Std) Compute(IImageDataset dataset, int maxImages = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (maxImages < 1) throw new ArgumentOutOfRangeException(nameof(maxImages), maxImages, "maxImages must be at least 1.");
        int n = Math.Min(dataset.Count, maxImages);
        if (n == 0) throw new ArgumentException("dataset is empty; statistics need at least one image.", nameof(dataset));
        int c = dataset.Channels, plane = dataset.Height * dataset.Width;
        var sum = new double[c];
        var sumSq = new double[c];
        var img = new float[c * plane];
        for (int i = 0; i < n; i++)
        {
            dataset.GetImage(i, img);
            for (int ch = 0; ch < c; ch++)
            {
                double s = 0, s2 = 0;
                foreach (float v in img.AsSpan(ch * plane, plane)) { s += v; s2 += (double)v * v; }
                sum[ch] += s; sumSq[ch] += s2;
            }
        }
        double count = (double)n * plane;
        var mean = new float[c];
        var std = new float[c];
        for (int ch = 0; ch < c; ch++)
        {
            double m = sum[ch] / count;
            mean[ch] = (float)m;
            std[ch] = (float)Math.Sqrt(Math.Max(0, sumSq[ch] / count - m * m));
        }
        return (mean, std);
    }
}
