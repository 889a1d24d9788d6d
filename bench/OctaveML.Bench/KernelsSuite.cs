namespace OctaveML.Bench;

/// <summary>The "kernels" suite: low-level kernels against their PyTorch peers.</summary>
public static class KernelsSuite
{
    public static void Run(string[] args)
    {
        ConvBench.Run();
    }
}
