"""Near-duplicate detection: candidates by the Hamming distance of 64-bit perceptual hashes, confirmed
by a pixel check at 32x32: the gray images, as ranks, must correlate >= MIN_CORR (a Spearman correlation:
copies with another contrast or gamma still match) and so must their high-pass (Laplacian) images,
>= MIN_HP_CORR. Thresholds as measured on ../shared/cxr-data (14,628 images; its
leakage groups as reference; see README.md): of 665k candidate pairs, 925 pass, 826 of them inside one
reference group, none joining two labels; the rest are mostly re-hosted copies inside the COVID-19
Radiography Database that the reference had not joined. Gray correlation alone (>= 0.95) also joined
~450 pairs of different Kermany children and JSRT patients.
"""
import numpy as np

MAX_HAMMING = 12      # of 64 bits: candidates
MIN_CORR = 0.90       # correlation of the 32x32 gray images as ranks
MIN_HP_CORR = 0.60    # correlation of their Laplacians
BLOCK = 256
CHUNK = 4096

_M1, _M2, _M4 = np.uint64(0x5555555555555555), np.uint64(0x3333333333333333), np.uint64(0x0F0F0F0F0F0F0F0F)
_H01 = np.uint64(0x0101010101010101)


def popcount64(x):
    x = x - ((x >> np.uint64(1)) & _M1)
    x = (x & _M2) + ((x >> np.uint64(2)) & _M2)
    x = (x + (x >> np.uint64(4))) & _M4
    return (x * _H01) >> np.uint64(56)


def candidate_pairs(hashes, max_hamming=MAX_HAMMING):
    """All pairs i<j with hamming(hash_i, hash_j) <= max_hamming, as an [n,2] int array (blockwise)."""
    h = np.asarray(hashes, dtype=np.uint64)
    n = len(h)
    out = []
    with np.errstate(over="ignore"):
        for a in range(0, n, BLOCK):
            blk = h[a:a + BLOCK]
            d = popcount64(blk[:, None] ^ h[None, a:])
            i, j = np.nonzero(d <= max_hamming)
            keep = j > i  # both offsets start at a: upper triangle only
            out.append(np.stack([i[keep] + a, j[keep] + a], axis=1))
    return np.concatenate(out) if out else np.zeros((0, 2), np.int64)


def _corr(v, p):
    return np.einsum("ij,ij->i", v[p[:, 0]], v[p[:, 1]]) / v.shape[1]


def confirm(vecs, hps, pairs, min_corr=MIN_CORR, min_hp=MIN_HP_CORR):
    """Keep the candidate pairs that pass both pixel checks: list of (i, j, corr)."""
    if len(pairs) == 0:
        return []
    v = np.asarray(vecs, dtype=np.float32)
    hp = np.asarray(hps, dtype=np.float32)
    out = []
    for s in range(0, len(pairs), CHUNK):
        p = pairs[s:s + CHUNK]
        c = _corr(v, p)
        p, c = p[c >= min_corr], c[c >= min_corr]
        if len(p):
            ok = _corr(hp, p) >= min_hp
            out += [(int(i), int(j), float(x)) for (i, j), x in zip(p[ok], c[ok])]
    return out


def find_duplicates(hashes, vecs, hps, max_hamming=MAX_HAMMING, min_corr=MIN_CORR, min_hp=MIN_HP_CORR):
    return confirm(vecs, hps, candidate_pairs(hashes, max_hamming), min_corr, min_hp)
