namespace OctaveML.Bench;

/// <summary>The "imaging" suite: codec and resize measurements against their Python peers.</summary>
public static class ImagingSuite
{
    public static void Run(string[] args)
    {
        PngBench.Run(args);
    }
}
