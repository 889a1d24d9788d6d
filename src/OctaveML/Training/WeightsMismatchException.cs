namespace OctaveML.Training;

/// <summary>
/// A weights file that does not fit the model it is loaded into: names the model lacks, names the
/// file lacks, or tensors of another shape. Thrown before anything is copied, so the model keeps
/// its own weights. The message names the file and lists up to 10 names of each kind with counts.
/// </summary>
public sealed class WeightsMismatchException : Exception
{
    private const int Listed = 10;

    /// <summary>The mismatches between <paramref name="fileName"/> and a <paramref name="modelName"/>.</summary>
    public WeightsMismatchException(string fileName, string modelName, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> misShaped)
        : base($"{fileName} does not fit the {modelName}: {List("missing", missing)}, {List("unexpected", unexpected)}, " +
               $"{List("with another shape (file vs model)", misShaped)}; nothing was loaded.")
    {
        FileName = fileName; Missing = missing; Unexpected = unexpected; MisShaped = misShaped;
    }

    /// <summary>The file.</summary>
    public string FileName { get; }

    /// <summary>Names of the model's state dict the file lacks.</summary>
    public IReadOnlyList<string> Missing { get; }

    /// <summary>Names in the file the model does not have.</summary>
    public IReadOnlyList<string> Unexpected { get; }

    /// <summary>Names in both whose shapes differ, as "name: file [..] vs model [..]".</summary>
    public IReadOnlyList<string> MisShaped { get; }

    private static string List(string what, IReadOnlyList<string> names) =>
        $"{names.Count} {what} [{string.Join(", ", names.Take(Listed))}{(names.Count > Listed ? $", and {names.Count - Listed} more" : "")}]";
}
