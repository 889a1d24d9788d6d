using OctaveML.Models;

namespace OctaveML.MLNet;

/// <summary>A trained network and what scoring it needs: the input shape and normalisation, and the classes.</summary>
internal sealed record TrainedModel(ImageClassifier Model, ModelSpec Spec, ImageShape Shape, string[] ClassNames, float[] Mean, float[] Std, TrainingReport Report);
