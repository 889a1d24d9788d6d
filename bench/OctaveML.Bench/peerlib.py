"""Helpers shared by the PyTorch peer scripts of bench/ (copied next to the benchmark, so the
peers import it from their own folder)."""
import time

def median(f, reps=3, warmup=1):
    """Median wall time in seconds of reps calls of f, after warmup untimed calls."""
    for _ in range(warmup):
        f()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter(); f(); ts.append(time.perf_counter() - t0)
    ts.sort()
    return ts[len(ts) // 2]
