namespace OctaveML.Nn;

/// <summary>Where a tensor of a planned step lives.</summary>
internal enum TensorHome
{
    /// <summary>Absent (no low part, or not saved for backward).</summary>
    None,
    /// <summary>A buffer of the executor's arena.</summary>
    Arena,
    /// <summary>The caller's input tensor number Index.</summary>
    Input,
    /// <summary>The fresh output tensor number Index, handed to the caller.</summary>
    Output,
    /// <summary>The fresh gradient of input number Index, handed to the caller.</summary>
    InputGradient,
    /// <summary>The caller's gradient of output number Index.</summary>
    OutputGradient,
}

/// <summary>A tensor of a planned step: where it lives (buffer or caller's slot number <paramref name="Index"/>) and its shape.</summary>
internal readonly record struct TensorRef(TensorHome Home, int Index, int[]? Shape)
{
    public static readonly TensorRef None = new(TensorHome.None, -1, null);
}
