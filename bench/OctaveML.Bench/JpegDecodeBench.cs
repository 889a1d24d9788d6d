using System.Diagnostics;
using OctaveML.Imaging;

namespace OctaveML.Bench;

/// <summary>
/// Single-threaded decode speed of a 1920x1080 baseline 4:2:0 photo (data/photo_1080p.jpg, made by
/// tools/imaging/make_bench_photo.py) by our JpegDecoder, Pillow (libjpeg-turbo in process) and
/// djpeg (process time minus that of a 1x1 JPEG, i.e. start-up). Ratio figure: libjpeg time / ours.
/// </summary>
public static class JpegDecodeBench
{
    public static void Run(string[] args)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "data", "photo_1080p.jpg");
        byte[] data = File.ReadAllBytes(path);
        var probe = JpegDecoder.Decode(data);
        double mp = probe.Width * (double)probe.Height / 1e6;
        Console.WriteLine($"jpeg decode: {Path.GetFileName(path)} {probe.Width}x{probe.Height}, {data.Length / 1024} KB");

        double ours = Figure.MedianSeconds(() => JpegDecoder.Decode(data), reps: 21, warmup: 5);
        var proc = Process.GetCurrentProcess();
        proc.Refresh();
        var cpu0 = proc.TotalProcessorTime;
        for (int i = 0; i < 21; i++) JpegDecoder.Decode(data);
        proc.Refresh();
        double oursCpu = (proc.TotalProcessorTime - cpu0).TotalSeconds / 21;
        string peer = PythonPeer.RunScript("jpeg_decode_peer.py", path, "21");
        double pillow = Figure.Value(peer, "pillow_seconds");
        double pillowCpu = Figure.Value(peer, "pillow_cpu_seconds");
        double djpeg = DjpegSeconds(path);

        Console.WriteLine($"  ours    {ours * 1e3,8:0.00} ms  {mp / ours,7:0.0} MP/s");
        Console.WriteLine($"  pillow  {pillow * 1e3,8:0.00} ms  {mp / pillow,7:0.0} MP/s  (libjpeg-turbo {peer.Split('\n').FirstOrDefault(l => l.StartsWith("libjpeg_turbo_version"))?.Split(' ')[1].Trim()})");
        if (djpeg > 0) Console.WriteLine($"  djpeg   {djpeg * 1e3,8:0.00} ms  {mp / djpeg,7:0.0} MP/s  (process time minus a 1x1 image's)");
        Figure.Print("jpeg_decode_mps_ours", mp / ours);
        Figure.Print("jpeg_decode_mps_pillow", mp / pillow);
        if (djpeg > 0) Figure.Print("jpeg_decode_mps_djpeg", mp / djpeg);
        Figure.Print("jpeg_decode_ratio_vs_libjpeg", pillow / ours);
        // The same ratio from CPU time (user + system per decode), steadier when the machine is shared.
        Console.WriteLine($"  cpu time per decode: ours {oursCpu * 1e3:0.00} ms, pillow {pillowCpu * 1e3:0.00} ms");
        Figure.Print("jpeg_decode_cpu_ratio_vs_libjpeg", pillowCpu / oursCpu);
    }

    /// <summary>Median djpeg wall time for the photo minus the median for a 1x1 JPEG (start-up), or -1 without djpeg.</summary>
    private static double DjpegSeconds(string photo)
    {
        string tiny = Path.Combine(Path.GetTempPath(), $"octaveml_tiny_{Environment.ProcessId}.jpg");
        try
        {
            File.WriteAllBytes(tiny, Convert.FromBase64String(TinyJpeg));
            double Time(string file) => Figure.MedianSeconds(() =>
            {
                var psi = new ProcessStartInfo("djpeg") { RedirectStandardOutput = true, RedirectStandardError = true };
                psi.ArgumentList.Add("-outfile");
                psi.ArgumentList.Add("/dev/null");
                psi.ArgumentList.Add(file);
                using var p = Process.Start(psi)!;
                p.WaitForExit();
                if (p.ExitCode != 0) throw new InvalidOperationException($"djpeg failed on {file}: {p.StandardError.ReadToEnd()}");
            }, reps: 21, warmup: 3);
            return Math.Max(Time(photo) - Time(tiny), 1e-6);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1; // djpeg not installed
        }
        finally
        {
            File.Delete(tiny);
        }
    }

    // A 1x1 gray baseline JPEG (cjpeg -grayscale of one pixel).
    private const string TinyJpeg =
        "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/9oACAEBAAA/APn+v//Z";
}
