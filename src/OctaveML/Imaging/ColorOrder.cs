namespace OctaveML.Imaging;

/// <summary>The order of the colour channels in extracted pixels.</summary>
public enum ColorOrder
{
    /// <summary>Red, green, blue (PyTorch/torchvision models).</summary>
    Rgb = 0,

    /// <summary>Blue, green, red (Caffe/OpenCV-trained models).</summary>
    Bgr = 1,
}
