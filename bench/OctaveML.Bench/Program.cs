using OctaveML.Bench;

// Suites: each is a static class with Run(string[] args). Usage: dotnet run -c Release --project bench/OctaveML.Bench -- SUITE
var suites = new Dictionary<string, Action<string[]>>(StringComparer.OrdinalIgnoreCase)
{
    ["kernels"] = KernelsSuite.Run,
    ["imaging"] = ImagingSuite.Run,
    ["data"] = DataSuite.Run,
    ["ops"] = OpsBench.Run,
    ["training"] = TrainingSuite.Run,
    ["models"] = ModelsSuite.Run,
    ["gemm-small"] = SmallGemmBench.Run,
    ["mlnet-memory"] = MLNetMemorySuite.Run,
};

if (args.Length == 0 || !suites.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"usage: OctaveML.Bench SUITE [options]; suites: {string.Join(", ", suites.Keys)}");
    return 2;
}
run(args[1..]);
return 0;
