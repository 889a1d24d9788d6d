#!/usr/bin/python3
"""Builds the JPEG conformance corpus test/data/jpeg/ from real photographs.

Sources: scikit-image's sample photographs (Debian package python3-skimage: astronaut, chelsea,
coffee, motorcycle_left). Encoders: cjpeg (libjpeg-turbo-progs) and ImageMagick's convert.
References: djpeg's default output (islow IDCT, fancy upsampling) stored as gzip'd PPM/PGM next to
each JPEG (NAME.jpg -> NAME.ppm.gz or NAME.pgm.gz). Extra references:
  NAME.ref           names the reference of another file when both are byte-identical
  NAME.gray.pgm.gz   djpeg -grayscale (for DecodeOptions.Grayscale on colour files)
  orient_N.jpg       EXIF orientation N (APP1 written by this script); its reference is the
                     djpeg output rotated/flipped as the tag says.
  cmyk_*.jpg         ImageMagick CMYK (Adobe, inverted); djpeg cannot output RGB for CMYK, so the
                     reference is libjpeg-turbo's CMYK decode (through Pillow) converted with
                     R = C'*K'/255 (C', K' the stored, inverted bytes), rounded. ImageMagick
                     writes YCCK (Adobe transform 2). cmyk_noadobe.jpg is cmyk_base with its APP14
                     renamed: libjpeg then takes the samples as plain CMYK (no YCCK transform);
                     like Pillow, the bytes are still read as Adobe-inverted CMYK.
  unsupported_*.jpg  arithmetic-coded (cjpeg -arithmetic) and 12-bit (a SOF1 header with
                     precision 12 patched into a real baseline file: no tool here writes 12-bit).

Usage: apt-get install python3-skimage libjpeg-turbo-progs imagemagick python3-pil
       /usr/bin/python3 tools/imaging/make_jpeg_corpus.py   (run from the repository root)
"""
import gzip
import os
import struct
import subprocess
import sys
import tempfile

from PIL import Image

PHOTOS = "/usr/lib/python3/dist-packages/skimage/data"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test", "data", "jpeg")


def crop(name, x, y, w, h):
    im = Image.open(os.path.join(PHOTOS, name)).convert("RGB")
    return im.crop((x, y, x + w, y + h))


def run(cmd, **kw):
    subprocess.run(cmd, check=True, **kw)


def cjpeg(img, args, out, gray_src=False):
    with tempfile.NamedTemporaryFile(suffix=".ppm") as tmp:
        (img.convert("L") if gray_src else img).save(tmp.name)
        run(["cjpeg"] + args + ["-outfile", out, tmp.name])


WRITTEN = {}  # reference bytes -> file already holding them


def write_ref(path, data):
    """Writes a gzip'd PNM reference; when an earlier reference holds the very same bytes (a
    progressive file re-codes the same coefficients as its baseline twin, so djpeg's output is
    identical), writes NAME.ref naming that file instead, to keep the corpus small."""
    if data in WRITTEN:
        stem = path[:path.index(".p")]
        with open(stem + ".ref", "w") as f:
            f.write(os.path.basename(WRITTEN[data]) + "\n")
        return
    WRITTEN[data] = path
    with gzip.GzipFile(path, "wb", mtime=0) as f:
        f.write(data)


def djpeg_ref(jpg, args=(), suffix=None):
    """djpeg's output as a gzip'd PNM next to the JPEG (or a .ref to an identical one)."""
    data = subprocess.run(["djpeg", "-pnm"] + list(args) + [jpg], check=True, capture_output=True).stdout
    ext = ".ppm" if data[:2] == b"P6" else ".pgm"
    write_ref(jpg[:-4] + (suffix or "") + ext + ".gz", data)


def save_pnm_gz(img, path):
    with tempfile.NamedTemporaryFile(suffix=".pnm") as tmp:
        img.save(tmp.name, format="PPM")
        data = open(tmp.name, "rb").read()
    write_ref(path, data)


def exif_app1(orientation, big_endian=False):
    """An APP1 Exif segment whose IFD0 holds only Orientation (tag 0x0112, SHORT)."""
    e = ">" if big_endian else "<"
    tiff = (b"MM" if big_endian else b"II") + struct.pack(e + "HI", 42, 8)
    tiff += struct.pack(e + "H", 1) + struct.pack(e + "HHIHH", 0x0112, 3, 1, orientation, 0) + struct.pack(e + "I", 0)
    payload = b"Exif\0\0" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def insert_after_app0(jpg_bytes, segment):
    assert jpg_bytes[:2] == b"\xff\xd8"
    pos = 2
    if jpg_bytes[2:4] == b"\xff\xe0":
        pos = 4 + struct.unpack(">H", jpg_bytes[4:6])[0]
    return jpg_bytes[:pos] + segment + jpg_bytes[pos:]


# PIL transposes that undo EXIF orientations 2..8 (what Pillow's ImageOps.exif_transpose does).
ORIENT = {1: None, 2: Image.FLIP_LEFT_RIGHT, 3: Image.ROTATE_180, 4: Image.FLIP_TOP_BOTTOM,
          5: Image.TRANSPOSE, 6: Image.ROTATE_270, 7: Image.TRANSVERSE, 8: Image.ROTATE_90}


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))
    p = lambda n: os.path.join(OUT, n)

    astro = crop("astronaut.png", 180, 60, 96, 64)      # face and helmet: skin, edges
    cat = crop("chelsea.png", 150, 80, 96, 64)          # fur, fine texture
    coffee = crop("coffee.png", 200, 120, 96, 64)       # saturated reds
    moto = crop("motorcycle_left.png", 300, 200, 97, 61)  # odd size, strong edges
    small = crop("astronaut.png", 200, 90, 41, 23)      # orientation cases

    # Sequential (baseline) Huffman, every sampling layout cjpeg can write.
    cases = [
        ("base_444", astro, ["-quality", "90", "-sample", "1x1"]),
        ("base_422", cat, ["-quality", "90", "-sample", "2x1"]),
        ("base_420", coffee, ["-quality", "85", "-sample", "2x2"]),
        ("base_440", astro, ["-quality", "90", "-sample", "1x2"]),
        ("base_411", cat, ["-quality", "90", "-sample", "4x1"]),
        ("base_420_4x2", coffee, ["-quality", "90", "-sample", "4x2"]),
        ("base_mixed_2x2_1x2_2x1", astro, ["-quality", "90", "-sample", "2x2,1x2,2x1"]),
        ("base_420_odd", moto, ["-quality", "90", "-sample", "2x2"]),
        ("base_422_odd", moto, ["-quality", "75", "-sample", "2x1"]),
        ("base_440_odd", moto, ["-quality", "90", "-sample", "1x2"]),
        ("base_411_odd", moto, ["-quality", "90", "-sample", "4x1"]),
        ("base_rgb", coffee, ["-quality", "90", "-rgb"]),
        ("base_q100_optimized", cat, ["-quality", "100", "-optimize", "-sample", "2x2"]),
        ("base_420_restart_row", coffee, ["-quality", "90", "-sample", "2x2", "-restart", "1"]),
        ("base_444_restart_3blocks", moto, ["-quality", "90", "-sample", "1x1", "-restart", "3B"]),
        ("prog_444", astro, ["-progressive", "-quality", "90", "-sample", "1x1"]),
        ("prog_422", cat, ["-progressive", "-quality", "90", "-sample", "2x1"]),
        ("prog_420", coffee, ["-progressive", "-quality", "85", "-sample", "2x2"]),
        ("prog_440", astro, ["-progressive", "-quality", "90", "-sample", "1x2"]),
        ("prog_411", cat, ["-progressive", "-quality", "90", "-sample", "4x1"]),
        ("prog_420_odd", moto, ["-progressive", "-quality", "90", "-sample", "2x2"]),
        ("prog_rgb", coffee, ["-progressive", "-quality", "90", "-rgb"]),
        ("prog_420_restart", moto, ["-progressive", "-quality", "90", "-sample", "2x2", "-restart", "2B"]),
        ("prog_q100", cat, ["-progressive", "-quality", "100", "-sample", "2x2"]),
    ]
    for name, img, args in cases:
        cjpeg(img, args, p(name + ".jpg"))
    # Tiny and narrow images: libjpeg's edge rules (box upsampling when a chroma row is <= 2 wide).
    for w, h, args in ((1, 1, ["-sample", "2x2"]), (3, 2, ["-sample", "2x2"]), (2, 9, ["-sample", "2x1"]),
                       (5, 3, ["-sample", "1x2", "-progressive"]), (17, 3, ["-sample", "4x1"]),
                       (9, 17, ["-sample", "1x4", "-progressive"])):
        name = f"tiny_{w}x{h}_" + args[1].replace(",", "_") + ("_prog" if "-progressive" in args else "")
        cases.append((name, None, None))
        cjpeg(crop("coffee.png", 250, 150, w, h), ["-quality", "85"] + args, p(name + ".jpg"))
    gray_cases = [
        ("base_gray", cat, ["-quality", "90"]),
        ("base_gray_odd_restart", moto, ["-quality", "90", "-restart", "2B"]),
        ("prog_gray", astro, ["-progressive", "-quality", "90"]),
        ("prog_gray_odd", moto, ["-progressive", "-quality", "80"]),
    ]
    for name, img, args in gray_cases:
        cjpeg(img, args, p(name + ".jpg"), gray_src=True)
        cases.append((name, img, args))

    # ImageMagick's encoder (its own quantisation/huffman choices, JFIF + interlace).
    run(["convert", os.path.join(PHOTOS, "chelsea.png"), "-crop", "96x64+60+40", "+repage",
         "-quality", "88", "-sampling-factor", "2x2", p("im_base_420.jpg")])
    run(["convert", os.path.join(PHOTOS, "coffee.png"), "-crop", "97x61+300+200", "+repage",
         "-quality", "88", "-interlace", "JPEG", "-sampling-factor", "1x1", p("im_prog_444_odd.jpg")])
    for name in ("im_base_420", "im_prog_444_odd"):
        cases.append((name, None, None))

    for name, _, _ in cases:
        djpeg_ref(p(name + ".jpg"))
    for name in ("base_420", "prog_422", "base_rgb", "base_411_odd"):
        djpeg_ref(p(name + ".jpg"), ["-grayscale"], ".gray")

    # CMYK written by ImageMagick (Adobe APP14, inverted, YCCK transform 2), baseline and progressive;
    # and the baseline one with its APP14 renamed: plain CMYK samples (no transform) for libjpeg.
    for name, extra in (("cmyk_base", []), ("cmyk_prog", ["-interlace", "JPEG"])):
        run(["convert", os.path.join(PHOTOS, "astronaut.png"), "-crop", "96x64+150+300", "+repage",
             "-colorspace", "CMYK", "-quality", "90"] + extra + [p(name + ".jpg")])
    data = open(p("cmyk_base.jpg"), "rb").read()
    i = data.index(b"\xff\xee")
    j = data.index(b"Adobe", i)
    open(p("cmyk_noadobe.jpg"), "wb").write(data[:j] + b"Xdobe" + data[j + 5:])
    for name in ("cmyk_base", "cmyk_prog", "cmyk_noadobe"):
        im = Image.open(p(name + ".jpg"))
        assert im.mode == "CMYK", im.mode
        # Pillow un-inverts CMYK (it assumes Adobe's convention with or without the marker): ink amounts.
        px = im.tobytes()
        rgb = bytearray(im.width * im.height * 3)
        for i in range(im.width * im.height):
            c, m, y, k = px[4 * i:4 * i + 4]
            kk = 255 - k
            rgb[3 * i + 0] = ((255 - c) * kk + 127) // 255
            rgb[3 * i + 1] = ((255 - m) * kk + 127) // 255
            rgb[3 * i + 2] = ((255 - y) * kk + 127) // 255
        save_pnm_gz(Image.frombytes("RGB", im.size, bytes(rgb)), p(name + ".ppm.gz"))

    # EXIF orientations 1..8 on one small baseline 4:2:0 file (odd size 41x23), plus one big-endian TIFF.
    cjpeg(small, ["-quality", "90", "-sample", "2x2"], p("orient_src.jpg"))
    src = open(p("orient_src.jpg"), "rb").read()
    plain = subprocess.run(["djpeg", "-pnm", p("orient_src.jpg")], check=True, capture_output=True).stdout
    with tempfile.NamedTemporaryFile(suffix=".ppm") as tmp:
        open(tmp.name, "wb").write(plain)
        decoded = Image.open(tmp.name).convert("RGB")
    for o in range(1, 9):
        for be in ((False, True) if o == 6 else (False,)):
            name = f"orient_{o}" + ("_bigendian" if be else "")
            open(p(name + ".jpg"), "wb").write(insert_after_app0(src, exif_app1(o, be)))
            ref = decoded if ORIENT[o] is None else decoded.transpose(ORIENT[o])
            save_pnm_gz(ref, p(name + ".ppm.gz"))
    os.remove(p("orient_src.jpg"))

    # Unsupported variants.
    cjpeg(cat, ["-arithmetic", "-quality", "90"], p("unsupported_arithmetic.jpg"))
    cjpeg(cat, ["-arithmetic", "-progressive", "-quality", "90"], p("unsupported_arithmetic_prog.jpg"))
    base = bytearray(open(p("base_gray.jpg"), "rb").read())
    i = base.index(b"\xff\xc0")
    base[i + 1] = 0xC1      # SOF1: extended sequential, the only Huffman SOF that allows 12 bits
    base[i + 4] = 12        # sample precision
    open(p("unsupported_12bit.jpg"), "wb").write(bytes(base))

    total = sum(os.path.getsize(p(f)) for f in os.listdir(OUT))
    print(f"{len(os.listdir(OUT))} files, {total // 1024} KB in {os.path.normpath(OUT)}")


if __name__ == "__main__":
    sys.exit(main())
