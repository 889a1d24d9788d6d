using OctaveML.Imaging;

namespace OctaveML.Bench;

/// <summary>
/// PNG decode speed: a 1920x1080 8-bit RGB PNG of a photograph (written by png_peer.py with Pillow),
/// decoded by OctaveML's PngDecoder and by Pillow in the same run; then a 224x224 bilinear resize of it.
/// </summary>
public static class PngBench
{
    public static void Run(string[] args)
    {
        string path = Path.Combine(Path.GetTempPath(), $"octaveml_bench_{Environment.ProcessId}.png");
        try
        {
            string peer = PythonPeer.RunScript("png_peer.py", path);
            double pillow = Figure.Value(peer, "pillow_png_mps");
            byte[] data = File.ReadAllBytes(path);
            Image? img = null;
            double seconds = Figure.MedianSeconds(() => img = PngDecoder.Decode(data), reps: 7, warmup: 2);
            double mps = img!.Width * (double)img.Height / 1e6 / seconds;
            Console.WriteLine($"png decode {img.Width}x{img.Height} RGB, {data.Length / 1e6:0.00} MB file: OctaveML {seconds * 1e3:0.0} ms, Pillow {img.Width * (double)img.Height / 1e6 / pillow * 1e3:0.0} ms");
            Figure.Print("png_decode_mps", mps);
            Figure.Print("pillow_png_decode_mps", pillow);
            Figure.Print("png_decode_ratio_vs_pillow", mps / pillow);

            // Resize 1920x1080 -> 224x224 (Fill), single-threaded like Pillow; ratio > 1 = faster than Pillow.
            double pillowResize = Figure.Value(peer, "pillow_resize224_ms");
            int saved = OctaveML.Threading.Parallelism.Threads;
            OctaveML.Threading.Parallelism.Threads = 1;
            double resize;
            try { resize = Figure.MedianSeconds(() => ImageResizer.Resize(img, 224, 224, ResizingKind.Fill), reps: 7, warmup: 2) * 1e3; }
            finally { OctaveML.Threading.Parallelism.Threads = saved; }
            Console.WriteLine($"resize 1920x1080 -> 224x224 bilinear, 1 thread: OctaveML {resize:0.00} ms, Pillow {pillowResize:0.00} ms");
            Figure.Print("resize224_ms", resize);
            Figure.Print("resize224_ratio_vs_pillow", pillowResize / resize);
        }
        finally { File.Delete(path); }
    }
}
