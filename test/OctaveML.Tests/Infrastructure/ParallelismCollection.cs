namespace OctaveML.Tests.Infrastructure;

/// <summary>
/// Tests that set the process-wide <see cref="OctaveML.Threading.Parallelism.Threads"/>, or compare two runs
/// bit for bit (which needs it unchanged in between), run in this collection: alone, after the rest.
/// </summary>
[CollectionDefinition("Parallelism", DisableParallelization = true)]
public sealed class ParallelismCollection;
