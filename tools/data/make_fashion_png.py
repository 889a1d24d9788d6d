#!/usr/bin/env python3
"""Makes data/fashion-png/: a small image folder (one sub-folder per class) of real Fashion-MNIST images.

Source: data/fashion-mnist-small/train-*-idx*-ubyte.gz (gzipped IDX, 28x28 grayscale).
Selection: walking the training file in order, the first PER_CLASS images of each chosen class,
written as 8-bit grayscale PNG <class>/<n>.png (n = 0.. in that order). Deterministic: PIL's PNG
writer has no timestamps.  /usr/bin/python3 tools/data/make_fashion_png.py [src] [dst]
"""
import gzip, os, shutil, struct, sys
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SRC = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, 'data', 'fashion-mnist-small')
DST = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, 'data', 'fashion-png')
# Fashion-MNIST label -> folder name (file-system friendly spelling of the official names).
CLASSES = {0: 'T-shirt_top', 1: 'Trouser', 7: 'Sneaker', 8: 'Bag', 9: 'Ankle_boot'}
PER_CLASS = 80

def read(path):
    with gzip.open(path, 'rb') as f:
        return f.read()

def main():
    images = read(os.path.join(SRC, 'train-images-idx3-ubyte.gz'))
    labels = read(os.path.join(SRC, 'train-labels-idx1-ubyte.gz'))
    magic, n, rows, cols = struct.unpack('>IIII', images[:16])
    lmagic, ln = struct.unpack('>II', labels[:8])
    assert magic == 0x803 and lmagic == 0x801 and n == ln, (magic, lmagic, n, ln)
    size = rows * cols
    for name in CLASSES.values():
        shutil.rmtree(os.path.join(DST, name), ignore_errors=True)
        os.makedirs(os.path.join(DST, name))
    counts = {c: 0 for c in CLASSES}
    for i in range(n):
        c = labels[8 + i]
        if c in CLASSES and counts[c] < PER_CLASS:
            px = images[16 + i * size:16 + (i + 1) * size]
            Image.frombytes('L', (cols, rows), px).save(
                os.path.join(DST, CLASSES[c], f'{counts[c]}.png'), optimize=True)
            counts[c] += 1
    assert all(v == PER_CLASS for v in counts.values()), counts
    print(f'{DST}: {len(CLASSES)} classes x {PER_CLASS} images')

if __name__ == '__main__':
    main()
