"""PNG decode peer for the 'imaging' bench suite.

Usage: png_peer.py OUT.png
Writes a 1920x1080 8-bit RGB PNG made from a real photograph (skimage's 'chelsea.png', Debian
python3-skimage, scaled up with Lanczos; Pillow's default zlib level 6, adaptive filters), then
times Pillow decoding it (open + load, median of 7 after 2 warm-ups) and prints
'pillow_png_mps <megapixels per second>'.
"""
import sys, time, statistics, io
from PIL import Image

out = sys.argv[1]
photo = Image.open('/usr/lib/python3/dist-packages/skimage/data/chelsea.png').convert('RGB')
photo.resize((1920, 1080), Image.LANCZOS).save(out)
data = open(out, 'rb').read()


def decode():
    im = Image.open(io.BytesIO(data))
    im.load()
    return im


for _ in range(2):
    decode()
times = []
for _ in range(7):
    t0 = time.perf_counter()
    decode()
    times.append(time.perf_counter() - t0)
print('pillow_png_mps', 1920 * 1080 / 1e6 / statistics.median(times))
print('png_bytes', len(data))

im = decode().convert('RGB')
for _ in range(2):
    im.resize((224, 224), Image.BILINEAR)
times = []
for _ in range(7):
    t0 = time.perf_counter()
    im.resize((224, 224), Image.BILINEAR)
    times.append(time.perf_counter() - t0)
print('pillow_resize224_ms', statistics.median(times) * 1e3)
