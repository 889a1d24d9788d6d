namespace OctaveML.Bench;

/// <summary>The "imaging" suite: decoder and resize speed against libjpeg-turbo and Pillow, one call per part.</summary>
public static class ImagingSuite
{
    public static void Run(string[] args)
    {
        JpegDecodeBench.Run(args);
        PngBench.Run(args);
    }
}
