#!/usr/bin/python3
"""Makes the PNG/BMP/PNM/resize test corpus under test/data/{png,bmp,pnm,resize}.

Content is a crop of a real photograph (the cat 'chelsea.png' that Debian's python3-skimage ships
in skimage/data). Every image file X.ext gets X.expected.ppm next to it: the expected decoded RGB pixels,
8-bit, as Pillow decodes them (convert('RGB')); where Pillow's conversion is not what OctaveML
specifies (16-bit gray: Pillow clamps, OctaveML keeps the high byte like libpng's strip-16) the
expectation is computed from Pillow's 16-bit samples and the script says so.

Files come from three encoders: a small PNG/BMP writer below (to force every colour type x bit depth,
every filter type, Adam7 and top-down/bit-field BMPs), Pillow, and ImageMagick's convert.
Every file the script writes itself is checked against Pillow's decoding before it is kept.

Run: /usr/bin/python3 tools/imaging/make_png_corpus.py   (needs python3-pil, python3-numpy,
python3-skimage's data files, imagemagick)
"""
import os, struct, subprocess, zlib, tempfile
import numpy as np
from PIL import Image

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'data')
PHOTO = '/usr/lib/python3/dist-packages/skimage/data/chelsea.png'
rng = np.random.default_rng(1234)


def save_ppm(path, rgb):
    h, w, _ = rgb.shape
    with open(path, 'wb') as f:
        f.write(b'P6\n%d %d\n255\n' % (w, h))
        f.write(np.ascontiguousarray(rgb, dtype=np.uint8).tobytes())


def ref(path):
    """The expected-pixels file of an image file: same stem, '.expected.ppm'."""
    return os.path.splitext(path)[0] + '.expected.ppm'


def pillow_rgb(path):
    with Image.open(path) as im:
        return np.asarray(im.convert('RGB'))


# ---------------------------------------------------------------- PNG writer
def chunk(t, body):
    return struct.pack('>I', len(body)) + t + body + struct.pack('>I', zlib.crc32(t + body) & 0xffffffff)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return np.where((pa <= pb) & (pa <= pc), a, np.where(pb <= pc, b, c))


def filter_row(f, row, prior, bpp):
    row = row.astype(np.int32); prior = prior.astype(np.int32)
    a = np.concatenate([np.zeros(bpp, np.int32), row[:-bpp]]) if len(row) > bpp else np.zeros_like(row)
    if len(row) > bpp:
        c = np.concatenate([np.zeros(bpp, np.int32), prior[:-bpp]])
    else:
        c = np.zeros_like(row)
    pred = {0: 0 * row, 1: a, 2: prior, 3: (a + prior) >> 1, 4: paeth(a, prior, c)}[f]
    return ((row - pred) & 255).astype(np.uint8)


def pack_rows(samples, depth):
    """samples: (h, w*spp) ints -> (h, rowbytes) uint8, big-endian for 16-bit, MSB first below 8."""
    h, n = samples.shape
    if depth == 16:
        return samples.astype('>u2').view(np.uint8).reshape(h, n * 2)
    if depth == 8:
        return samples.astype(np.uint8)
    per = 8 // depth
    padded = np.zeros((h, (n + per - 1) // per * per), np.int32)
    padded[:, :n] = samples
    padded = padded.reshape(h, -1, per)
    out = np.zeros(padded.shape[:2], np.int32)
    for i in range(per):
        out |= padded[:, :, i] << (8 - depth * (i + 1))
    return out.astype(np.uint8)


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def write_png(path, samples, color_type, depth, filters=(0, 1, 2, 3, 4), interlace=False, palette=None, trns=None,
              idat_split=None):
    """samples: (h, w, spp) array of raw sample values."""
    h, w, spp = samples.shape
    bpp = max(1, spp * depth // 8)
    passes = ADAM7 if interlace else [(0, 0, 1, 1)]
    raw = bytearray()
    k = 0
    for (x0, y0, dx, dy) in passes:
        sub = samples[y0::dy, x0::dx]
        if sub.shape[0] == 0 or sub.shape[1] == 0:
            continue
        rows = pack_rows(sub.reshape(sub.shape[0], -1), depth)
        prior = np.zeros(rows.shape[1], np.uint8)
        for r in rows:
            f = filters[k % len(filters)]; k += 1
            raw.append(f)
            raw += filter_row(f, r, prior, bpp).tobytes()
            prior = r
    data = zlib.compress(bytes(raw), 9)
    out = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, depth, color_type, 0, 0, 1 if interlace else 0))
    out += chunk(b'tEXt', b'Comment\x00OctaveML test corpus')
    if palette is not None:
        out += chunk(b'PLTE', palette.astype(np.uint8).tobytes())
    if trns is not None:
        out += chunk(b'tRNS', trns)
    parts = [data] if not idat_split else [data[i:i + idat_split] for i in range(0, len(data), idat_split)]
    for p in parts:
        out += chunk(b'IDAT', p)
    out += chunk(b'IEND', b'')
    with open(path, 'wb') as f:
        f.write(out)


def check_png(path, expected_rgb):
    got = pillow_rgb(path)
    assert got.shape == expected_rgb.shape and np.array_equal(got, expected_rgb), path
    save_ppm(ref(path), expected_rgb)


def main():
    photo = np.asarray(Image.open(PHOTO).convert('RGB'))
    crop = photo[110:129, 180:207]          # 27 x 19: odd sizes exercise partial Adam7 passes and bit packing
    gray = np.asarray(Image.fromarray(crop).convert('L')).astype(np.int32)
    h, w, _ = crop.shape
    pngdir = os.path.join(ROOT, 'png'); os.makedirs(pngdir, exist_ok=True)
    bmpdir = os.path.join(ROOT, 'bmp'); os.makedirs(bmpdir, exist_ok=True)
    rsdir = os.path.join(ROOT, 'resize'); os.makedirs(rsdir, exist_ok=True)
    alpha = (np.arange(w)[None, :] * 255 // (w - 1) + np.zeros((h, 1), int)).astype(np.int32)
    low16 = rng.integers(0, 256, (h, w, 4))  # random low bytes: 16-bit decoding must keep the high byte

    # Every colour type x bit depth, plain and Adam7, filters rotating row by row.
    variants = []
    for d in (1, 2, 4, 8, 16):
        g = gray >> (8 - d) if d < 8 else gray if d == 8 else gray * 256 + low16[..., 0]
        scale = {1: 255, 2: 85, 4: 17, 8: 1}.get(d)
        exp = np.repeat(((g * scale) if d <= 8 else (g >> 8)).astype(np.uint8)[..., None], 3, axis=2)
        variants.append((f'gray{d}', g[..., None], 0, d, exp, None, None))
    for d in (8, 16):
        s = crop.astype(np.int32) if d == 8 else crop.astype(np.int32) * 256 + low16[..., :3]
        variants.append((f'rgb{d}', s, 2, d, crop, None, None))
        a = alpha if d == 8 else alpha * 256 + low16[..., 3]
        variants.append((f'rgba{d}', np.dstack([s, a]), 6, d, crop, None, None))
        ga = np.dstack([gray if d == 8 else gray * 256 + low16[..., 0], a])
        variants.append((f'graya{d}', ga, 4, d, np.repeat(gray.astype(np.uint8)[..., None], 3, axis=2), None, None))
    for d in (1, 2, 4, 8):
        q = Image.fromarray(crop).quantize(colors=1 << d, method=Image.Quantize.MEDIANCUT)
        idx = np.asarray(q).astype(np.int32)
        pal = np.array(q.getpalette()[:3 * (1 << d)]).reshape(-1, 3)
        exp = pal[idx].astype(np.uint8)
        variants.append((f'palette{d}', idx[..., None], 3, d, exp, pal.reshape(-1), None))
    # Palette with tRNS (alpha per entry): alpha is dropped, colours stay.
    q = Image.fromarray(crop).quantize(colors=64)
    idx = np.asarray(q).astype(np.int32); pal = np.array(q.getpalette()[:192]).reshape(-1, 3)
    variants.append(('palette8_trns', idx[..., None], 3, 8, pal[idx].astype(np.uint8), pal.reshape(-1),
                     bytes(range(0, 256, 8))[:32]))
    # Gray and RGB with a tRNS colour key.
    variants.append(('gray8_trns', gray[..., None], 0, 8, np.repeat(gray.astype(np.uint8)[..., None], 3, axis=2), None, b'\x00\x80'))
    variants.append(('rgb8_trns', crop.astype(np.int32), 2, 8, crop, None, b'\x00\x10\x00\x20\x00\x30'))

    for name, s, ct, d, exp, pal, trns in variants:
        for inter in (False, True):
            fn = os.path.join(pngdir, f'{name}{"_adam7" if inter else ""}.png')
            write_png(fn, s, ct, d, interlace=inter, palette=pal, trns=trns)
            if ct == 0 and d == 16:
                with Image.open(fn) as im:  # Pillow: mode I;16; its convert('RGB') clamps, we keep the high byte
                    assert np.array_equal(np.asarray(im).astype(np.int32), s[..., 0]), fn
                save_ppm(ref(fn), exp)
            else:
                check_png(fn, exp)

    # Each filter type alone (and the IDAT split in many small chunks), RGB and gray+alpha.
    for f in range(5):
        fn = os.path.join(pngdir, f'filter{f}_rgb8.png')
        write_png(fn, crop.astype(np.int32), 2, 8, filters=(f,))
        check_png(fn, crop)
        fn = os.path.join(pngdir, f'filter{f}_rgba8.png')
        write_png(fn, np.dstack([crop.astype(np.int32), alpha]), 6, 8, filters=(f,), idat_split=97)
        check_png(fn, crop)
        fn = os.path.join(pngdir, f'filter{f}_gray8.png')
        write_png(fn, gray[..., None], 0, 8, filters=(f,))
        check_png(fn, np.repeat(gray.astype(np.uint8)[..., None], 3, axis=2))

    # Pillow's own encoder.
    big = photo[80:116, 150:198]  # 48 x 36
    for mode in ('RGB', 'L', 'RGBA', 'LA', 'P', '1'):
        im = Image.fromarray(big)
        if mode == 'RGBA' or mode == 'LA':
            im = im.convert(mode); im.putalpha(Image.fromarray(rng.integers(0, 256, big.shape[:2], dtype=np.uint8)))
        else:
            im = im.convert(mode)
        fn = os.path.join(pngdir, f'pillow_{mode.lower()}.png')
        kw = {'transparency': 3} if mode == 'P' else {}
        im.save(fn, optimize=True, **kw)
        save_ppm(ref(fn), pillow_rgb(fn))

    # ImageMagick's encoder: Adam7, 16-bit, palette.
    with tempfile.TemporaryDirectory() as t:
        src = os.path.join(t, 'src.ppm'); save_ppm(src, big)
        for name, args in [('im_rgb8_interlaced', ['-interlace', 'PNG', 'PNG24:']),
                           ('im_rgb16', ['-depth', '16', 'PNG48:']),
                           ('im_rgba16_interlaced', ['-alpha', 'set', '-depth', '16', '-interlace', 'PNG', 'PNG64:']),
                           ('im_palette', ['-colors', '200', 'PNG8:']),
                           ('im_gray8_interlaced', ['-colorspace', 'gray', '-interlace', 'PNG', 'PNG8:'])]:
            fn = os.path.join(pngdir, name + '.png')
            subprocess.run(['convert', src] + args[:-1] + [args[-1] + fn], check=True)
            save_ppm(ref(fn), pillow_rgb(fn))

    make_bmps(crop, big, bmpdir)
    pnmdir = os.path.join(ROOT, 'pnm'); os.makedirs(pnmdir, exist_ok=True)
    make_pnms(crop, gray, pnmdir)
    make_resize(photo, rsdir)


# ---------------------------------------------------------------- BMP
def write_bmp(path, rows_bytes_bottom_up, w, h, bpp, palette=None, top_down=False, compression=0, masks=None, header=40):
    """rows: list of row byte strings, top row first; written bottom-up unless top_down."""
    stride = (w * bpp + 31) // 32 * 4
    rows = [r + b'\x00' * (stride - len(r)) for r in rows_bytes_bottom_up]
    if not top_down:
        rows = rows[::-1]
    pix = b''.join(rows)
    pal = b'' if palette is None else b''.join(bytes([b, g, r, 0]) for r, g, b in palette)
    extra = b''
    if header == 40 and masks is not None:
        extra = struct.pack('<III', *masks)
    info = struct.pack('<IiiHHIIiiII', header, w, -h if top_down else h, 1, bpp, compression, len(pix), 2835, 2835,
                       0 if palette is None else len(palette), 0)
    if header > 40:
        m = masks or (0, 0, 0)
        info += struct.pack('<IIII', m[0], m[1], m[2], 0) + b'\x00' * (header - 56)
    off = 14 + len(info) + len(extra) + len(pal)
    with open(path, 'wb') as f:
        f.write(b'BM' + struct.pack('<IHHI', off + len(pix), 0, 0, off) + info + extra + pal + pix)


def make_bmps(crop, big, d):
    h, w, _ = crop.shape
    def keep(fn, exp):
        got = pillow_rgb(fn)
        assert np.array_equal(got, exp), fn
        save_ppm(ref(fn), exp)
    # Palette 1/4/8-bit, bottom-up and top-down.
    for bits in (1, 4, 8):
        q = Image.fromarray(crop).quantize(colors=1 << bits)
        idx = np.asarray(q).astype(np.int32); pal = np.array(q.getpalette()[:3 << bits]).reshape(-1, 3)
        rows = [pack_rows(idx[y][None, :], bits)[0].tobytes() for y in range(h)]
        for td in (False, True):
            fn = os.path.join(d, f'pal{bits}{"_topdown" if td else ""}.bmp')
            write_bmp(fn, rows, w, h, bits, palette=[tuple(p) for p in pal], top_down=td)
            keep(fn, pal[idx].astype(np.uint8))
    bgr = crop[..., ::-1]
    for td in (False, True):
        fn = os.path.join(d, f'rgb24{"_topdown" if td else ""}.bmp')
        write_bmp(fn, [bgr[y].tobytes() for y in range(h)], w, h, 24, top_down=td)
        keep(fn, crop)
    # 32-bit BI_RGB (BGRX) and BI_BITFIELDS with standard and non-standard masks, V1 and V4 headers.
    x = np.dstack([bgr, np.full((h, w), 0x7f, np.uint8)])
    fn = os.path.join(d, 'rgb32.bmp'); write_bmp(fn, [x[y].tobytes() for y in range(h)], w, h, 32); keep(fn, crop)
    fn = os.path.join(d, 'bitfields32.bmp')
    write_bmp(fn, [x[y].tobytes() for y in range(h)], w, h, 32, compression=3, masks=(0xff0000, 0xff00, 0xff)); keep(fn, crop)
    rgbx = np.dstack([np.full((h, w), 0x7f, np.uint8), crop])  # bytes X R G B little-endian: R mask 0x0000ff00...
    fn = os.path.join(d, 'bitfields32_rgbx_v4_topdown.bmp')
    write_bmp(fn, [rgbx[y].tobytes() for y in range(h)], w, h, 32, compression=3,
              masks=(0x0000ff00, 0x00ff0000, 0xff000000), header=108, top_down=True)
    save_ppm(ref(fn), crop)  # Pillow reads only standard masks; the expectation is the source
    # 16-bit 5-6-5 bit fields and 5-5-5 BI_RGB (Pillow's truncating v*255/max).
    c = crop.astype(np.int32)
    v565 = ((c[..., 0] >> 3) << 11) | ((c[..., 1] >> 2) << 5) | (c[..., 2] >> 3)
    fn = os.path.join(d, 'bitfields16_565.bmp')
    write_bmp(fn, [v565[y].astype('<u2').tobytes() for y in range(h)], w, h, 16, compression=3, masks=(0xf800, 0x07e0, 0x001f))
    save_ppm(ref(fn), pillow_rgb(fn))
    v555 = ((c[..., 0] >> 3) << 10) | ((c[..., 1] >> 3) << 5) | (c[..., 2] >> 3)
    fn = os.path.join(d, 'rgb16_555.bmp')
    write_bmp(fn, [v555[y].astype('<u2').tobytes() for y in range(h)], w, h, 16)
    save_ppm(ref(fn), pillow_rgb(fn))
    # Pillow's and ImageMagick's encoders.
    for mode in ('RGB', 'L', 'P', '1', 'RGBA'):
        fn = os.path.join(d, f'pillow_{mode.lower()}.bmp')
        Image.fromarray(big).convert(mode).save(fn)
        save_ppm(ref(fn), pillow_rgb(fn))
    with tempfile.TemporaryDirectory() as t:
        src = os.path.join(t, 'src.ppm'); save_ppm(src, big)
        for name, args in [('im_bmp3_24', ['BMP3:']), ('im_bmp4_32_alpha', ['-alpha', 'set', 'BMP:']),
                           ('im_palette8', ['-colors', '100', '-type', 'palette', '-compress', 'none', 'BMP3:']),
                           ('im_palette4', ['-colors', '16', '-type', 'palette', '-depth', '4', '-compress', 'none', 'BMP3:']),
                           ('im_bmp2', ['BMP2:']), ('im_rle8', ['-colors', '50', '-type', 'palette', '-compress', 'RLE', 'BMP3:'])]:
            fn = os.path.join(d, name + '.bmp')
            subprocess.run(['convert', src] + args[:-1] + [args[-1] + fn], check=True)
            if name != 'im_rle8':  # RLE: OctaveML reports it as unsupported, no expectation needed
                save_ppm(ref(fn), pillow_rgb(fn))


# ---------------------------------------------------------------- PNM
def make_pnms(crop, gray, d):
    h, w, _ = crop.shape
    g8 = gray.astype(np.uint8)
    fn = os.path.join(d, 'gray8.pgm'); Image.fromarray(g8).save(fn)
    save_ppm(ref(fn), pillow_rgb(fn))
    fn = os.path.join(d, 'rgb8.ppm')
    with open(fn, 'wb') as f:
        f.write(b'P6\n# a comment\n%d # width\n%d\n255\n' % (w, h) + crop.tobytes())
    save_ppm(ref(fn), crop)
    low = rng.integers(0, 256, crop.shape)
    s16 = crop.astype(np.int32) * 256 + low
    fn = os.path.join(d, 'rgb16.ppm')
    with open(fn, 'wb') as f:
        f.write(b'P6 %d %d 65535\n' % (w, h) + s16.astype('>u2').tobytes())
    save_ppm(ref(fn), crop)
    g16 = gray * 256 + low[..., 0]
    fn = os.path.join(d, 'gray16.pgm')
    with open(fn, 'wb') as f:
        f.write(b'P5\n#c1\n#c2\n%d %d\n65535\n' % (w, h) + g16.astype('>u2').tobytes())
    save_ppm(ref(fn), np.repeat(g8[..., None], 3, axis=2))


# ---------------------------------------------------------------- resize references
def ml_plan(sw, sh, w, h, kind, anchor):
    """ML.NET's placement (float32 math) with the fitted axis set to the target exactly."""
    f = np.float32
    wa, ha = f(w) / f(sw), f(h) / f(sh)
    if kind == 'Fill':
        return 0, 0, w, h
    if kind == 'IsoPad':
        if ha < wa:
            return int((f(w) - f(sw) * ha) / f(2)), 0, int(f(sw) * ha), h
        return 0, int((f(h) - f(sh) * wa) / f(2)), w, int(f(sh) * wa)
    if ha < wa:
        s = f(sh) * wa
        y = {'Top': 0, 'Bottom': int(f(h) - s)}.get(anchor, int((f(h) - s) / f(2)))
        return 0, y, w, int(s)
    s = f(sw) * ha
    x = {'Left': 0, 'Right': int(f(w) - s)}.get(anchor, int((f(w) - s) / f(2)))
    return x, 0, int(s), h


def make_resize(photo, d):
    src = Image.fromarray(photo[60:180, 120:280])          # 160 x 120 source (4:3)
    src.save(os.path.join(d, 'source.png'), optimize=True)
    small = Image.fromarray(photo[120:138, 200:224])        # 24 x 18 source for enlarging
    small.save(os.path.join(d, 'small.png'))
    cases = []
    for img_name, im, sizes in (('source', src, [(48, 48), (40, 28), (24, 44)]), ('small', small, [(40, 40), (44, 26)])):
        for (w, h) in sizes:
            for kind, anchors in (('Fill', ['Center']), ('IsoPad', ['Center']), ('IsoCrop', ['Center', 'Left', 'Right', 'Top', 'Bottom'])):
                for anchor in anchors:
                    x, y, dw, dh = ml_plan(im.width, im.height, w, h, kind, anchor)
                    scaled = im.resize((dw, dh), Image.BILINEAR)
                    canvas = Image.new('RGB', (w, h), (0, 0, 0))
                    canvas.paste(scaled, (x, y))
                    name = f'{img_name}_{w}x{h}_{kind}_{anchor}'
                    canvas.save(os.path.join(d, name + '.png'))
                    cases.append(f'{name} {img_name} {w} {h} {kind} {anchor} {x} {y} {dw} {dh}')
    # Grayscale resize reference (one channel path).
    g = src.convert('L').resize((37, 23), Image.BILINEAR)
    with open(os.path.join(d, 'source_gray_37x23_fill.pgm'), 'wb') as f:
        f.write(b'P5\n37 23\n255\n' + np.asarray(g).tobytes())
    with open(os.path.join(d, 'cases.txt'), 'w') as f:
        f.write('# name source width height kind anchor x y scaledWidth scaledHeight (Pillow BILINEAR, ML.NET placement)\n')
        f.write('\n'.join(cases) + '\n')


if __name__ == '__main__':
    main()
