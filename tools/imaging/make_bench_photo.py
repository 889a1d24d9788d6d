#!/usr/bin/python3
"""Makes bench/OctaveML.Bench/data/photo_1080p.jpg: a 1920x1080 mosaic of scikit-image's sample
photographs (python3-skimage), each scaled to 540 px high, encoded with cjpeg at quality 90, 4:2:0
baseline (libjpeg-turbo's defaults otherwise). Used by the imaging bench (JpegDecodeBench)."""
import os
import subprocess
import tempfile

from PIL import Image

PHOTOS = "/usr/lib/python3/dist-packages/skimage/data"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench", "OctaveML.Bench", "data", "photo_1080p.jpg")

rows = [["motorcycle_left.png", "astronaut.png", "coffee.png"], ["chelsea.png", "rocket.jpg", "motorcycle_right.png"]]
canvas = Image.new("RGB", (1920, 1080))
for r, names in enumerate(rows):
    x = 0
    for name in names:
        im = Image.open(os.path.join(PHOTOS, name)).convert("RGB")
        im = im.resize((round(im.width * 540 / im.height), 540), Image.LANCZOS)
        canvas.paste(im, (x, 540 * r))
        x += im.width
with tempfile.NamedTemporaryFile(suffix=".ppm") as tmp:
    canvas.save(tmp.name)
    subprocess.run(["cjpeg", "-quality", "90", "-sample", "2x2", "-outfile", OUT, tmp.name], check=True)
print(OUT, os.path.getsize(OUT))
