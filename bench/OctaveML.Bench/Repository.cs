namespace OctaveML.Bench;

/// <summary>The repository this program was built from (the folder holding OctaveML.sln above its output folder).</summary>
public static class Repository
{
    /// <summary>The repository's root; throws an <see cref="InvalidOperationException"/> when the program runs outside one.</summary>
    public static string Root()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "OctaveML.sln"))) return d.FullName;
        throw new InvalidOperationException($"no folder containing OctaveML.sln above {AppContext.BaseDirectory}: the consumer figure packs the repository's OctaveML, run the bench from the repository.");
    }
}
