using System.Text;

namespace OctaveML.Bench;

/// <summary>A writer that passes everything on to another and keeps a copy (the speed suite reads its figures back for the targets).</summary>
public sealed class RecordingWriter(TextWriter inner) : TextWriter
{
    private readonly StringBuilder _text = new();

    /// <inheritdoc/>
    public override Encoding Encoding => inner.Encoding;

    /// <summary>Everything written so far.</summary>
    public string Text => _text.ToString();

    /// <inheritdoc/>
    public override void Write(char value)
    {
        inner.Write(value);
        _text.Append(value);
    }

    /// <inheritdoc/>
    public override void Write(string? value)
    {
        inner.Write(value);
        _text.Append(value);
    }

    /// <inheritdoc/>
    public override void WriteLine(string? value)
    {
        inner.WriteLine(value);
        _text.Append(value).Append(CoreNewLine);
    }

    /// <inheritdoc/>
    public override void Flush() => inner.Flush();
}
