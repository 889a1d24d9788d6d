namespace OctaveML.Training;

/// <summary>What <see cref="ITrainingSession.ForwardBackward"/> measured on one batch: the mean loss and the top-1 hits.</summary>
public readonly record struct BatchResult(float Loss, int Correct);
