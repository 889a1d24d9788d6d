using OctaveML.Bench;

// Suites: each is a static class with Run(string[] args). Usage: dotnet run -c Release --project bench/OctaveML.Bench -- SUITE
var suites = new Dictionary<string, Func<string[], int>>(StringComparer.OrdinalIgnoreCase)
{
    ["kernels"] = Done(KernelsSuite.Run),
    ["data"] = Done(DataSuite.Run),
    ["ops"] = Done(OpsBench.Run),
    ["training"] = Done(TrainingSuite.Run),
    [ModelsSuite.Name] = a => ModelsSuite.Run(a, Console.Out, Console.Error),
    ["gemm-small"] = Done(SmallGemmBench.Run),
    [GemmShapeBench.Name] = a => GemmShapeBench.Run(a, Console.Out, Console.Error),
    [OctaveConvAbBench.Name] = a => OctaveConvAbBench.Run(a, Console.Out, Console.Error),
    [OnnxSuite.Name] = a => OnnxSuite.Run(a, Console.Out, Console.Error),
    [SpeedSuite.Name] = a => SpeedSuite.Run(a, Console.Out, Console.Error),
    [StepTiming.Suite] = a => StepTiming.Run(a, Console.Out, Console.Error),
    ["mlnet-memory"] = Done(MLNetMemorySuite.Run),
    [BusyProcess.Suite] = _ => BusyProcess.Run(Console.In, Console.Out), // hidden: the other process of measurements under load
};

if (args.Length == 0 || !suites.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"usage: OctaveML.Bench SUITE [options]; suites: {string.Join(", ", suites.Keys.Where(k => k != BusyProcess.Suite))}");
    return 2;
}
return run(args[1..]);

// A suite that prints its figures and throws on failure.
static Func<string[], int> Done(Action<string[]> suite) => a => { suite(a); return 0; };
