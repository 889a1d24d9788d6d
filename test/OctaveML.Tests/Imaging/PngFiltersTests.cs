using OctaveML.Kernels;

namespace OctaveML.Tests.Imaging;

/// <summary>The vectorised/SWAR unfilters invert the reference filters for every filter, pixel size and row length.</summary>
public class PngFiltersTests
{
    [Fact]
    public void Unfilter_inverts_filter()
    {
        var rng = new Random(42);
        foreach (int bpp in new[] { 1, 2, 3, 4, 6, 8 })
            foreach (int len in new[] { 1, 2, 3, 4, 5, 7, 15, 16, 17, 31, 33, 64, 99, 300 })
            {
                if (len % bpp != 0 && bpp > 1) continue;
                var prior = new byte[len]; var row = new byte[len];
                rng.NextBytes(prior); rng.NextBytes(row);
                for (int f = 0; f <= 4; f++)
                {
                    var filtered = new byte[len];
                    PngFilters.Filter(f, row, prior, bpp, filtered);
                    PngFilters.Unfilter(f, filtered, prior, bpp);
                    filtered.Should().Equal(row, $"filter {f}, bpp {bpp}, length {len}");
                }
            }
    }

    [Fact]
    public void Unknown_filter_type_is_rejected()
    {
        FluentActions.Invoking(() => PngFilters.Unfilter(5, new byte[4], new byte[4], 1)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("type");
    }
}
