namespace OctaveML.Samples.Commands;

/// <summary>An <see cref="IProgress{T}"/> that runs its handler at once on the reporting thread (Progress&lt;T&gt; posts it later).</summary>
internal sealed class LineProgress<T>(Action<T> handler) : IProgress<T>
{
    public void Report(T value) => handler(value);
}
