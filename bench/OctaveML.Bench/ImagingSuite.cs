namespace OctaveML.Bench;

/// <summary>The "imaging" suite: decoder speed against libjpeg-turbo and friends, one call per part.</summary>
public static class ImagingSuite
{
    public static void Run(string[] args)
    {
        JpegDecodeBench.Run(args);
    }
}
