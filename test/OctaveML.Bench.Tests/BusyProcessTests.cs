using System.Diagnostics;
using OctaveML.Bench;

namespace OctaveML.Bench.Tests;

public class BusyProcessTests
{
    [Fact]
    public void The_busy_process_keeps_a_processor_busy_until_disposed()
    {
        int id;
        using (var busy = BusyProcess.Start())
        {
            id = busy.Id;
            using var child = Process.GetProcessById(id);
            TimeSpan before = child.TotalProcessorTime;
            Thread.Sleep(600);
            child.Refresh();
            busy.IsRunning.Should().BeTrue();
            // A spinning thread gets most of 600 ms even on a loaded 2-processor machine; a sleeping one gets ~0.
            (child.TotalProcessorTime - before).Should().BeGreaterThan(TimeSpan.FromMilliseconds(150));
        }
        bool gone;
        try
        {
            using var p = Process.GetProcessById(id);
            gone = p.HasExited;
        }
        catch (ArgumentException) { gone = true; } // no process with that id any more
        gone.Should().BeTrue("Dispose ends the busy child");
    }
}
