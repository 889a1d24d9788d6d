#!/usr/bin/env python3
"""Makes data/fashion-mnist-small/: a class-balanced slice of Fashion-MNIST as gzipped IDX pairs.

Source: Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist/).
Selection: for each split, walk the original files in order and keep an image while its class
has fewer than N/10 kept (200 per class of the 60,000 training images, 50 per class of the 10,000
test images), preserving the original order. Output is byte-for-byte reproducible (gzip mtime 0,
no embedded file name). Standard library only:  python3 tools/data/make_fashion_small.py [src] [dst]
"""
import gzip, io, os, struct, sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SRC = sys.argv[1] if len(sys.argv) > 1 else '/usr/share/datasets/fashion-mnist'
DST = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, 'data', 'fashion-mnist-small')
SPLITS = {'train': 2000, 't10k': 500}
CLASSES = 10

def read(path):
    with gzip.open(path, 'rb') as f:
        return f.read()

def write_gz(path, payload):
    buf = io.BytesIO()
    with gzip.GzipFile(filename='', mode='wb', fileobj=buf, compresslevel=9, mtime=0) as g:
        g.write(payload)
    with open(path, 'wb') as f:
        f.write(buf.getvalue())

def main():
    os.makedirs(DST, exist_ok=True)
    for split, total in SPLITS.items():
        images = read(os.path.join(SRC, f'{split}-images-idx3-ubyte.gz'))
        labels = read(os.path.join(SRC, f'{split}-labels-idx1-ubyte.gz'))
        magic, n, rows, cols = struct.unpack('>IIII', images[:16])
        lmagic, ln = struct.unpack('>II', labels[:8])
        assert magic == 0x803 and lmagic == 0x801 and n == ln, (split, magic, lmagic, n, ln)
        per_class, size = total // CLASSES, rows * cols
        kept, counts = [], [0] * CLASSES
        for i in range(n):
            c = labels[8 + i]
            if counts[c] < per_class:
                counts[c] += 1
                kept.append(i)
            if len(kept) == total:
                break
        assert len(kept) == total, (split, counts)
        img = bytearray(struct.pack('>IIII', 0x803, total, rows, cols))
        lab = bytearray(struct.pack('>II', 0x801, total))
        for i in kept:
            img += images[16 + i * size:16 + (i + 1) * size]
            lab.append(labels[8 + i])
        write_gz(os.path.join(DST, f'{split}-images-idx3-ubyte.gz'), bytes(img))
        write_gz(os.path.join(DST, f'{split}-labels-idx1-ubyte.gz'), bytes(lab))
        print(f'{split}: {total} images ({per_class} per class), last source index {kept[-1]}')

if __name__ == '__main__':
    main()
