namespace OctaveML.Bench;

/// <summary>
/// The <c>kernels</c> suite: throughput of the compute kernels against the machine's FMA peak and
/// their PyTorch peers. Usage: <c>dotnet run -c Release --project bench/OctaveML.Bench -- kernels</c>.
/// </summary>
public static class KernelsSuite
{
    public static void Run(string[] args)
    {
        GemmBench.Run();
        ConvBench.Run();
        OctaveConvBench.Run();
    }
}
