"""Pillow (libjpeg-turbo, in process) decode time of a JPEG: median of REPS Image.open(...).load()."""
import io
import sys
import time

from PIL import Image, features

path, reps = sys.argv[1], int(sys.argv[2])
data = open(path, "rb").read()
for _ in range(3):
    Image.open(io.BytesIO(data)).load()
times = []
for _ in range(reps):
    t0 = time.perf_counter()
    im = Image.open(io.BytesIO(data))
    im.load()
    times.append(time.perf_counter() - t0)
times.sort()
print("pillow_seconds", times[len(times) // 2])
# CPU time per decode (user + system), less sensitive than wall time to a loaded machine.
cpu0 = time.process_time()
for _ in range(reps):
    Image.open(io.BytesIO(data)).load()
print("pillow_cpu_seconds", (time.process_time() - cpu0) / reps)
print("libjpeg_turbo_version", features.version("libjpeg_turbo") or "unknown")
