#!/usr/bin/python3
"""Writes the seed corpora of the fuzz targets (tests/fuzz/*.cpp) from the real originals:

    /usr/bin/python3 tests/fuzz/make_seeds.py OUT_DIR [--originals DIR]

OUT_DIR/fuzz_open_study, OUT_DIR/fuzz_png16 and OUT_DIR/fuzz_labelled_copy get small files (each
under 64 KB): downscaled and cropped views of every original as baseline, progressive and CMYK JPEG
and as PNG of every colour type and depth, interlaced or not. The decoders of issue 20 get their own
corpora from the same views: OUT_DIR/fuzz_tiff (8/16-bit gray and RGB; none, LZW, Deflate, PackBits),
OUT_DIR/fuzz_webp (lossy, lossless, with alpha) and OUT_DIR/fuzz_raster (BMP, GIF, PNM, TGA, and 12-bit
JPEG made by dcmtk's dcmcjpeg). Deterministic; needs python3-pil (and dcmtk, pydicom for 12-bit JPEG).
"""
import os
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / 'fixtures'))
from make_bad_corpus import (gray_rows, originals, pil_bytes, png_bytes, rgb_rows, run_cli,  # noqa: E402
                             small_views)

MAX_SEED = 64 * 1024


def image_seeds(view):
    """PNG and JPEG encodings of one small gray view: (name suffix, bytes)."""
    w, h = view.size
    tinted = Image.merge('RGB', (view, view.point(lambda v: v * 3 // 4), view.point(lambda v: min(255, v + 20))))
    yield 'base.jpg', pil_bytes(view, 'JPEG', quality=85)
    yield 'prog.jpg', pil_bytes(view, 'JPEG', quality=75, progressive=True)
    yield 'rgb420.jpg', pil_bytes(tinted, 'JPEG', quality=80, subsampling=2)
    yield 'rgbprog.jpg', pil_bytes(tinted, 'JPEG', quality=70, subsampling=1, progressive=True)
    yield 'cmyk.jpg', pil_bytes(view.convert('CMYK'), 'JPEG', quality=70)
    yield 'gray8.png', pil_bytes(view, 'PNG')
    yield 'rgb8.png', pil_bytes(tinted, 'PNG')
    yield 'pal.png', pil_bytes(view.convert('P'), 'PNG')
    yield 'la.png', pil_bytes(Image.merge('LA', (view, view.point(lambda v: 255 - v // 4))), 'PNG')
    yield 'gray16.png', png_bytes(w, h, 0, 16, gray_rows(view, 16))
    yield 'gray16i.png', png_bytes(w, h, 0, 16, gray_rows(view, 16), interlace=True)
    yield 'rgba16.png', png_bytes(w, h, 6, 16, rgb_rows(tinted, 16, alpha=lambda x, y, m: m - (x * 97 % 4096)))
    yield 'gray4.png', png_bytes(w, h, 0, 4, [[v >> 4 for v in r] for r in gray_rows(view)])


def format_seeds(view):
    """The other formats the core reads, of one small gray view: (target, name suffix, bytes)."""
    tinted = Image.merge('RGB', (view, view.point(lambda v: v * 3 // 4), view.point(lambda v: min(255, v + 20))))
    sixteen = Image.fromarray(np.asarray(view).astype(np.uint16) * 257)
    for name, im, kw in [('none.tif', view, {}), ('lzw.tif', view, {'compression': 'tiff_lzw'}),
                         ('deflate.tif', view, {'compression': 'tiff_adobe_deflate'}),
                         ('packbits.tif', view, {'compression': 'packbits'}), ('rgb_lzw.tif', tinted, {'compression': 'tiff_lzw'}),
                         ('g16.tif', sixteen, {}), ('g16_lzw.tif', sixteen, {'compression': 'tiff_lzw'})]:
        yield 'fuzz_tiff', name, pil_bytes(im, 'TIFF', **kw)
    yield 'fuzz_webp', 'lossy.webp', pil_bytes(view.convert('RGB'), 'WEBP', quality=80)
    yield 'fuzz_webp', 'lossless.webp', pil_bytes(view.convert('RGB'), 'WEBP', lossless=True)
    yield 'fuzz_webp', 'alpha.webp', pil_bytes(Image.merge('RGBA', (*tinted.split(), view)), 'WEBP', quality=70)
    yield 'fuzz_raster', 'gray.bmp', pil_bytes(view, 'BMP')
    yield 'fuzz_raster', 'rgb.bmp', pil_bytes(tinted, 'BMP')
    yield 'fuzz_raster', 'gray.gif', pil_bytes(view, 'GIF')
    yield 'fuzz_raster', 'gray.pgm', pil_bytes(view, 'PPM')
    yield 'fuzz_raster', 'rgb.ppm', pil_bytes(tinted, 'PPM')
    yield 'fuzz_raster', 'rle.tga', pil_bytes(tinted, 'TGA', compression='tga_rle')
    yield 'fuzz_raster', 'gray.tga', pil_bytes(view, 'TGA')


def jpeg12_seed(view):
    """A 12-bit JPEG (extended, process 4) of the view: dcmcjpeg's frame from a 12-bit DICOM file."""
    import pydicom
    from pydicom.encaps import generate_pixel_data_frame
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / 'fixtures'))
    import make_dicom
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = os.path.join(tmp, 'in.dcm'), os.path.join(tmp, 'out.dcm')
        make_dicom.dataset(np.asarray(view).astype(np.uint16) * 16, 12).save_as(src, write_like_original=False)
        subprocess.run(['dcmcjpeg', '+ee', src, dst], check=True)
        return next(generate_pixel_data_frame(pydicom.dcmread(dst).PixelData))


def wrapped_png16_seed(view, colour_choice, depth_choice, flags):
    """An input in fuzz_png16's own form: 5 header bytes, then the scanlines before compression."""
    w, h = min(view.size[0], 256), min(view.size[1], 256)
    channels = {0: 1, 1: 3, 2: 1, 3: 2, 4: 4}[colour_choice]
    rows = gray_rows(view.crop((0, 0, w, h)), 16)
    raw = bytearray()
    for y, row in enumerate(rows):
        raw.append(y % 5)  # every PNG filter type
        for v in row:
            raw += struct.pack('>H', v) * channels
    return bytes([w - 1, h - 1, colour_choice, depth_choice, flags]) + bytes(raw)


def label_seed(w, h, p, threshold, verdict, model, date, name):
    head = bytes([(w - 1) & 0xFF, (w - 1) >> 8, (h - 1) & 0xFF, (h - 1) >> 8, p, threshold, 1, 90])
    return head + b'\0'.join(s.encode() for s in (model, date, name, verdict))


def build(out_dir, originals_dir):
    out = Path(out_dir)
    dirs = {t: out / t for t in ('fuzz_open_study', 'fuzz_png16', 'fuzz_labelled_copy', 'fuzz_tiff', 'fuzz_webp',
                                 'fuzz_raster', 'fuzz_labelled_set')}
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    count = 0

    def put(target, name, data):
        nonlocal count
        if len(data) <= MAX_SEED:
            (dirs[target] / name).write_bytes(data)
            count += 1

    for i, path in enumerate(originals(originals_dir)):
        for j, view in enumerate(small_views(path)):
            for suffix, data in image_seeds(view):
                target = 'fuzz_png16' if suffix.endswith('16.png') or suffix.endswith('16i.png') else 'fuzz_open_study'
                put(target, f'{i}_{j}_{suffix}', data)
                if suffix == 'gray16.png':
                    put('fuzz_open_study', f'{i}_{j}_{suffix}', data)
            for target, suffix, data in format_seeds(view):
                put(target, f'{i}_{j}_{suffix}', data)
            if j == 0 and i < 3:
                put('fuzz_raster', f'{i}_{j}_12bit.jpg', jpeg12_seed(view))
        small = small_views(path, sizes=((24, 20),))[0]
        for c in range(5):
            put('fuzz_png16', f'{i}_wrapped_{c}', wrapped_png16_seed(small, c, 0, (i + c) % 2))
    put('fuzz_labelled_copy', 'model1', label_seed(256, 200, 180, 120, 'POSITIVE', 'Model 1: COVID-19 vs Normal',
                                                   '2026-11-25', 'IM-0640-0001-0001.jpeg'))
    put('fuzz_labelled_copy', 'model2', label_seed(512, 512, 20, 128, 'NEGATIVE', 'Model 2: COVID-19 vs Pneumonia',
                                                   '2026-01-01', 'C:\\scans\\patient 7 (copy).png'))
    put('fuzz_labelled_copy', 'tiny', label_seed(1, 1, 255, 0, 'POSITIVE', '', '', ''))
    put('fuzz_labelled_copy', 'unicode', label_seed(300, 40, 128, 128, 'NEGATIVE', 'Modell 1',
                                                    '2026-11-25', 'röntgen_ünïcödé_✓.png' * 8))
    for name, data in labelled_set_seeds():
        put('fuzz_labelled_set', name, data)
    return count


def labelled_set_seeds():
    """fuzz_labelled_set: flags, paths (one a line), NUL, a table's path, NUL, its text."""
    folders = '\n'.join([f'set/COVID/c{i}.png' for i in range(24)] + [f'set/Normal/n{i}.png' for i in range(24)]
                        + ['set/pneumonia/p.png', 'set/covid/normal/x.png', 'set/labels.csv'])
    table = 'file,label\nc1.png,normal\nset/Normal/n2.png,Normal\n"q,1.png",covid\nzz.png,lateral\n'
    yield 'folders_and_csv', bytes([38]) + f'{folders}\0set/labels.csv\0{table}'.encode()
    tsv = 'Image Index\tFinding\n' + '\n'.join(f'a{i}.dcm\t{"COVID-19" if i % 2 else "pneumonia"}' for i in range(50))
    yield 'tsv', bytes([129]) + ('\n'.join(f'x/a{i}.dcm' for i in range(50)) + f'\0labels.tsv\0{tsv}').encode()
    yield 'semicolon_bom', bytes([0]) + '\ufeffa.png\nb.png\0t.csv\0filename;class\r\na.png;covid\r\nb.png;normal'.encode()


def main():
    run_cli(__doc__, build, 'seeds')


if __name__ == '__main__':
    sys.exit(main())
