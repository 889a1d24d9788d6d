// The consumer app of the speed suite's consumer_over_bench figure: built by nuget/consumer-app.sh from the
// packed OctaveML with the console template's settings, as a user's app is, next to the bench's StepTiming.cs,
// ModelTrainingStep.cs, BenchModel.cs and Figure.cs. It times the same training steps as the bench's own child.
return OctaveML.Bench.StepTiming.Run(args, Console.Out, Console.Error);
