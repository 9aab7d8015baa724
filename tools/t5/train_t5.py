#!/usr/bin/env python3
"""numpy MLP trainer for the T5 DNN and its working points.

- Network: inputs -> 32 ReLU -> 32 ReLU -> 1 sigmoid (LST's shape).
- Inputs are standardised during training (mean/std of the training rows);
  the standardisation is folded into the first layer on export, so the
  model file takes the raw features, as LST does.
- Loss: class-weighted binary cross-entropy (each class carries half of the
  total weight, the balance LST's notebook gets by downsampling).
- Adam (lr 2.5e-3, beta 0.9/0.999, eps 1e-8), mini-batches of 1024, He init,
  early stopping on the validation loss (patience, best epoch restored).
- Deterministic: one seeded numpy Generator drives the init and the
  shuffles; float64 arithmetic; BLAS limited to one thread, so the same seed
  gives the same weights bit for bit on the same machine.

Working points (derive_table, matched_cut) follow LST's notebook: per pT
(inner-T3 pT <= 5, > 5 GeV) x |eta1| (10 bins of 0.25, last open) bin of true
T5s, cut = the (100 - retention) percentile of the score; a T5 passes when
score > cut.
"""
import os
import pathlib
import sys

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import numpy as np  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # tools/
import checkout_paths  # noqa: F401,E402  (tools subfolders and python/ on sys.path)
import t5_reference as ref  # noqa: E402

PT_EDGES = [5.0]
ETA_BIN_WIDTH = 0.25
ETA_BINS = 10
MIN_BIN_COUNT = 50


def _init(rng, sizes):
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        params.append(rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out)))
        params.append(np.zeros(n_out))
    return params


def _forward(params, x):
    acts = [x]
    n_layers = len(params) // 2
    for k in range(n_layers):
        z = acts[-1] @ params[2 * k] + params[2 * k + 1]
        acts.append(np.maximum(z, 0.0) if k < n_layers - 1 else z[:, 0])
    return acts


def _loss(logit, y, w):
    # BCE with logits: softplus(z) - y z, weighted mean
    sp = np.maximum(logit, 0.0) + np.log1p(np.exp(-np.abs(logit)))
    return float(np.sum(w * (sp - y * logit)) / np.sum(w))


def _grads(params, acts, y, w):
    n_layers = len(params) // 2
    p = 0.5 * (1.0 + np.tanh(0.5 * acts[-1]))  # sigmoid, overflow-free
    delta = ((p - y) * w / np.sum(w))[:, None]
    grads = [None] * len(params)
    for k in range(n_layers - 1, -1, -1):
        grads[2 * k] = acts[k].T @ delta
        grads[2 * k + 1] = delta.sum(axis=0)
        if k:
            delta = (delta @ params[2 * k].T) * (acts[k] > 0)
    return grads


def class_weights(y):
    y = np.asarray(y, dtype=np.float64)
    n, n1 = y.size, y.sum()
    return np.where(y > 0.5, n / (2.0 * max(n1, 1.0)), n / (2.0 * max(n - n1, 1.0)))


ADAM_B1, ADAM_B2, ADAM_EPS = 0.9, 0.999, 1e-8


class _Adam:
    def __init__(self, params, lr):
        self.lr, self.step = lr, 0
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]

    def update(self, params, grads):
        self.step += 1
        for k, g in enumerate(grads):
            self.m[k] = ADAM_B1 * self.m[k] + (1 - ADAM_B1) * g
            self.v[k] = ADAM_B2 * self.v[k] + (1 - ADAM_B2) * g * g
            mh = self.m[k] / (1 - ADAM_B1 ** self.step)
            vh = self.v[k] / (1 - ADAM_B2 ** self.step)
            params[k] = params[k] - self.lr * mh / (np.sqrt(vh) + ADAM_EPS)


def _fit(loss_and_grad, val_loss, params, epochs_batches, lr, max_epochs, patience, log):
    """Adam with early stopping: returns (best params, info)."""
    adam = _Adam(params, lr)
    best = (np.inf, 0, [p.copy() for p in params])
    history = []
    for epoch in range(1, max_epochs + 1):
        for batch in epochs_batches():
            adam.update(params, loss_and_grad(params, batch))
        val = val_loss(params)
        history.append(val)
        if log:
            log(f"  epoch {epoch:3d}  validation loss {val:.5f}")
        if val < best[0]:
            best = (val, epoch, [p.copy() for p in params])
        elif epoch - best[1] >= patience:
            break
    return best[2], dict(best_epoch=best[1], epochs_run=len(history), best_validation_loss=best[0])


def train(x, y, x_val, y_val, seed, hidden=(32, 32), lr=2.5e-3, batch=1024, max_epochs=60,
          patience=6, log=None):
    """Train; returns (float32 layers [(W[in][out], b)] with the input scaling folded in, info)."""
    rng = np.random.default_rng(seed)
    x = np.asarray(x, dtype=np.float64)
    x_val = np.asarray(x_val, dtype=np.float64)
    y, y_val = np.asarray(y, dtype=np.float64), np.asarray(y_val, dtype=np.float64)
    mean = x.mean(axis=0)
    std = x.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    xs, xvs = (x - mean) / std, (x_val - mean) / std
    w, w_val = class_weights(y), class_weights(y_val)
    params = _init(rng, [x.shape[1], *hidden, 1])

    def epoch_batches():
        order = rng.permutation(x.shape[0])
        return (order[start:start + batch] for start in range(0, order.size, batch))

    def loss_and_grad(p, idx):
        return _grads(p, _forward(p, xs[idx]), y[idx], w[idx])

    params, info = _fit(loss_and_grad, lambda p: _loss(_forward(p, xvs)[-1], y_val, w_val),
                        params, epoch_batches, lr, max_epochs, patience, log)
    # fold the standardisation into layer 1: (x - mean)/std @ W + b = x @ (W/std) + (b - (mean/std) @ W)
    w1 = params[0] / std[:, None]
    b1_ = params[1] - (mean / std) @ params[0]
    params = [w1, b1_] + params[2:]
    layers = [(params[2 * k].astype(np.float32), params[2 * k + 1].astype(np.float32))
              for k in range(len(params) // 2)]
    info.update(train_rows=int(x.shape[0]), validation_rows=int(x_val.shape[0]))
    return layers, info


# ---------------------------------------------------------------- working points

def bins(r_inner, eta1):
    """(pT row, |eta| column) of each T5, as the library bins them."""
    row = ref.pt_row(ref.pt_from_radius(np.asarray(r_inner, np.float32)), PT_EDGES)
    col = ref.eta_column(np.abs(np.asarray(eta1, np.float32)), ETA_BIN_WIDTH, ETA_BINS)
    return row, col


def f32(v):
    """A Python float holding the float32 nearest to v (what the model file stores)."""
    return float(np.float32(v))


def derive_table(score, is_true, r_inner, eta1, retention):
    """cuts[pt][eta] with `retention` % of the true T5s of each bin above the cut.
    A bin with fewer than MIN_BIN_COUNT true T5s uses its whole pT row."""
    row, col = bins(r_inner, eta1)
    t = (np.asarray(is_true) > 0) & np.isfinite(score) & (col >= 0)
    cuts, counts = [], []
    for r in range(len(PT_EDGES) + 1):
        in_row = t & (row == r)
        cr, nr = [], []
        for c in range(ETA_BINS):
            sel = in_row & (col == c)
            src = sel if sel.sum() >= MIN_BIN_COUNT else in_row
            cr.append(f32(np.percentile(score[src], 100.0 - retention)))
            nr.append(int(sel.sum()))
        cuts.append(cr), counts.append(nr)
    return cuts, counts


def table_wp(cuts):
    return {"kind": "pt_eta_table", "pt_edges_gev": PT_EDGES, "eta_bin_width": ETA_BIN_WIDTH,
            "eta_bins": ETA_BINS, "cuts": cuts}


def passes(score, r_inner, eta1, wp):
    """Pass flags of a working point (score > cut), binned like the library."""
    score = np.asarray(score, dtype=np.float64)
    if wp["kind"] == "single":
        cut = np.full(score.shape, float(wp["cut"]))
    else:
        row, col = bins(r_inner, eta1)
        cut = np.asarray(wp["cuts"], dtype=np.float64)[row, np.maximum(col, 0)]
        cut = np.where(col >= 0, cut, np.nan)
    with np.errstate(invalid="ignore"):
        return score > cut


def retention_table(score, is_true, r_inner, eta1, wp):
    """Per-bin and overall fraction of true T5s passing: (rates[pt][eta], counts, overall)."""
    row, col = bins(r_inner, eta1)
    t = np.asarray(is_true) > 0
    ok = passes(score, r_inner, eta1, wp)
    rates, counts = [], []
    for r in range(len(PT_EDGES) + 1):
        rr, cc = [], []
        for c in range(ETA_BINS):
            sel = t & (row == r) & (col == c)
            rr.append(float(ok[sel].mean()) if sel.any() else float("nan"))
            cc.append(int(sel.sum()))
        rates.append(rr), counts.append(cc)
    return rates, counts, float(ok[t].mean())


def matched_cut(score_fake, fake_efficiency):
    """Single score cut whose fake pass fraction (score > cut) equals fake_efficiency."""
    s = np.sort(np.asarray(score_fake, dtype=np.float64)[np.isfinite(score_fake)])
    k = int(round((1.0 - fake_efficiency) * s.size))
    k = min(max(k, 1), s.size - 1)
    return f32(0.5 * (s[k - 1] + s[k]))
