namespace OctaveML.Onnx;

/// <summary>A 4-D value of the graph, [N, Channels, Height, Width]: its name and its static size (N is dynamic).</summary>
internal readonly record struct FeatureMap(string Name, int Channels, int Height, int Width);

/// <summary>An octave pair: the high-frequency map and the low-frequency one at half resolution, or none (a plain map).</summary>
internal readonly record struct OctaveMaps(FeatureMap High, FeatureMap? Low);
