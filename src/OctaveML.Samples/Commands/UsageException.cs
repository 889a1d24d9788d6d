namespace OctaveML.Samples.Commands;

/// <summary>A mistake in the command line or its inputs: printed as one line, exit code 2, no stack trace.</summary>
public sealed class UsageException : Exception
{
    /// <summary>An error whose message names the option and what it expects.</summary>
    public UsageException(string message) : base(message) { }
}
