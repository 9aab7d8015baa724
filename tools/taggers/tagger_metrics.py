"""Independent numpy reference of the sculpting metrics (include/trigml.h,
tml_metric_r50_jsd; /work/shared/abi-v1.md): background rejection at 50%
signal efficiency and 1/JSD (log base 2) of the unit-normalised background
mass histograms passing and failing that cut, 50 bins of 5 GeV over
50-300 GeV, weights honoured. Also a weighted ROC AUC and dCorr helpers.
"""
import numpy as np

from ddt_reference import quantile_of

F32 = np.float32
MASS_LOW, MASS_WIDTH, MASS_BINS = 50.0, 5.0, 50


def mass_histogram(mass, weight):
    a = (np.asarray(mass, np.float64) - MASS_LOW) / MASS_WIDTH
    inside = (a >= 0) & (a < MASS_BINS)
    return np.bincount(np.floor(a[inside]).astype(np.int64), weights=np.asarray(weight, np.float64)[inside],
                       minlength=MASS_BINS)


def jsd_bits(p, f):
    p = np.asarray(p, np.float64) / np.sum(p)
    f = np.asarray(f, np.float64) / np.sum(f)
    m = (p + f) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        tp = np.where(p > 0, p * np.log2(p / m), 0.0)
        tf = np.where(f > 0, f * np.log2(f / m), 0.0)
    return 0.5 * tp.sum() + 0.5 * tf.sum()


def r50_inverse_jsd(score, is_signal, mass, weight=None):
    score = np.asarray(score, F32)
    sig = np.asarray(is_signal).astype(bool)
    w = np.ones(len(score)) if weight is None else np.asarray(weight, F32).astype(np.float64)
    cut = quantile_of(score, weight, np.nonzero(sig)[0], 0.5)
    passes = score.astype(np.float64) > cut
    bkg = ~sig
    eff_b = w[bkg & passes].sum() / w[bkg].sum()
    rejection = 1.0 / eff_b if eff_b > 0 else np.inf
    hp = mass_histogram(np.asarray(mass, F32)[bkg & passes], w[bkg & passes])
    hf = mass_histogram(np.asarray(mass, F32)[bkg & ~passes], w[bkg & ~passes])
    if hp.sum() <= 0 or hf.sum() <= 0:
        return rejection, np.nan
    j = jsd_bits(hp, hf)
    return rejection, (1.0 / j if j > 0 else np.inf)


def roc_auc(score, is_signal, weight=None):
    """Weighted AUC = P(score_sig > score_bkg) + P(tie)/2."""
    score = np.asarray(score, np.float64)
    sig = np.asarray(is_signal).astype(bool)
    w = np.ones(len(score)) if weight is None else np.asarray(weight, np.float64)
    order = np.argsort(score, kind="stable")
    s, ws, ys = score[order], w[order], sig[order]
    uniq, start = np.unique(s, return_index=True)
    bsum = np.add.reduceat(np.where(ys, 0.0, ws), start)
    ssum = np.add.reduceat(np.where(ys, ws, 0.0), start)
    below_b = np.concatenate([[0.0], np.cumsum(bsum)[:-1]])
    auc = np.sum(ssum * (below_b + 0.5 * bsum))
    return auc / (ssum.sum() * bsum.sum())


def distance_correlation_squared(x, y, weight=None):
    """dCorr^2 (DisCo's power=1 statistic) of 1-D samples, O(N^2) memory."""
    x = np.asarray(x, np.float64)
    y = np.asarray(y, np.float64)
    w = np.ones(len(x)) if weight is None else np.asarray(weight, np.float64)
    w = w / w.mean()
    a = np.abs(x[:, None] - x[None, :])
    b = np.abs(y[:, None] - y[None, :])
    def centre(d):
        row = (d * w[None, :]).mean(axis=1)
        tot = (row * w).mean()
        return d - row[:, None] - row[None, :] + tot
    A, B = centre(a), centre(b)
    ww = w[:, None] * w[None, :]
    dcov = (A * B * ww).mean()
    va, vb = (A * A * ww).mean(), (B * B * ww).mean()
    return dcov / np.sqrt(va * vb)


def inverse_jsd_floor(mass, fraction, weight=None, repeats=20, seed=0):
    """The 1/JSD that finite statistics alone give (ATLAS `jsd_limit`): split
    the background at random into a fraction `fraction` ("pass") and the
    rest, and take 1/JSD of the two mass histograms; median over repeats."""
    rng = np.random.default_rng(seed)
    mass = np.asarray(mass, np.float64)
    w = np.ones(len(mass)) if weight is None else np.asarray(weight, np.float64)
    values = []
    for _ in range(repeats):
        passes = rng.uniform(size=len(mass)) < fraction
        hp, hf = mass_histogram(mass[passes], w[passes]), mass_histogram(mass[~passes], w[~passes])
        if hp.sum() > 0 and hf.sum() > 0:
            j = jsd_bits(hp, hf)
            values.append(1.0 / j if j > 0 else np.inf)
    return float(np.median(values)) if values else float("nan")
