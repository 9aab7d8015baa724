#!/usr/bin/env python3
"""numpy trainers for format-version-2 T5 models (and the toy T3 classifier).

- train_classifier: K-class softmax MLP (inputs -> 32 ReLU -> 32 ReLU -> K),
  weighted cross-entropy with every class carrying the same total weight
  (LST's notebooks balance by downsampling and up-weighting displaced
  tracks: cmssw RecoTracker/LSTCore/standalone/analysis/DNN/train_T5_DNN.ipynb
  @5be45754), Adam, early stopping on the validation loss.
- train_embedding: an MLP with a linear D-dimensional last layer trained with
  a contrastive loss on T5 pairs (cms-sw #48249, the T5 embedding that
  replaces the dR duplicate removal): y d^2 + (1 - y) max(0, margin - d)^2,
  d the Euclidean distance of the two embeddings, y = 1 for two T5s of the
  same simulated particle.
- The standardisation (mean, std of the training rows, rounded to float32)
  stays separate: the model file's "standardize" holds it, as LST's newer
  networks carry their training's mean and std.
- Deterministic: one seeded Generator drives init, shuffles and pair
  sampling; float64 arithmetic; BLAS on one thread (set before numpy loads).
"""
import os
import pathlib
import sys

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import numpy as np  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # tools/
import checkout_paths  # noqa: F401,E402
from train_t5 import _fit, _init  # noqa: E402  (He initialisation and Adam with early stopping, shared with the version-1 trainer)



def standardisation(x):
    """float32 mean and std of the training rows (std 0 -> 1: a constant input)."""
    mean = np.asarray(x, np.float64).mean(axis=0).astype(np.float32)
    std = np.asarray(x, np.float64).std(axis=0).astype(np.float32)
    return mean, np.where(std > 0, std, np.float32(1.0)).astype(np.float32)


def _scaled(x, mean, std):
    return (np.asarray(x, np.float64) - mean.astype(np.float64)) / std.astype(np.float64)


def _forward(params, x):
    """Activations of every layer; hidden ReLU, last layer linear (logits / embedding)."""
    acts = [x]
    n_layers = len(params) // 2
    for k in range(n_layers):
        z = acts[-1] @ params[2 * k] + params[2 * k + 1]
        acts.append(np.maximum(z, 0.0) if k < n_layers - 1 else z)
    return acts


def _backward(params, acts, d_out):
    grads = [None] * len(params)
    delta = d_out
    for k in range(len(params) // 2 - 1, -1, -1):
        grads[2 * k] = acts[k].T @ delta
        grads[2 * k + 1] = delta.sum(axis=0)
        if k:
            delta = (delta @ params[2 * k].T) * (acts[k] > 0)
    return grads


def _softmax64(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def balanced_weights(y, n_classes):
    counts = np.bincount(y, minlength=n_classes).astype(np.float64)
    per_class = y.size / (n_classes * np.maximum(counts, 1.0))
    return per_class[y]


def _xent(logits, y, w):
    z = logits - logits.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-(w * logp[np.arange(y.size), y]).sum() / w.sum())


def _model(params, mean, std, last_activation, info):
    n = len(params) // 2
    layers = [(params[2 * k].astype(np.float32), params[2 * k + 1].astype(np.float32),
               "relu" if k < n - 1 else last_activation) for k in range(n)]
    return dict(layers=layers, mean=mean, std=std, info=info)


def train_classifier(x, y, x_val, y_val, n_classes, seed, hidden=(32, 32), lr=2.5e-3, batch=1024,
                     max_epochs=40, patience=5, log=None):
    """Softmax classifier; returns dict(layers [(W, b, act)] float32, mean, std, info)."""
    rng = np.random.default_rng(seed)
    mean, std = standardisation(x)
    xs, xvs = _scaled(x, mean, std), _scaled(x_val, mean, std)
    y, y_val = np.asarray(y, np.int64), np.asarray(y_val, np.int64)
    w, w_val = balanced_weights(y, n_classes), balanced_weights(y_val, n_classes)
    params = _init(rng, [x.shape[1], *hidden, n_classes])

    def batches():
        order = rng.permutation(xs.shape[0])
        return (order[s:s + batch] for s in range(0, order.size, batch))

    def loss_and_grad(p, idx):
        acts = _forward(p, xs[idx])
        d = _softmax64(acts[-1])
        d[np.arange(idx.size), y[idx]] -= 1.0
        return _backward(p, acts, d * (w[idx] / w[idx].sum())[:, None])

    params, info = _fit(loss_and_grad, lambda p: _xent(_forward(p, xvs)[-1], y_val, w_val),
                        params, batches, lr, max_epochs, patience, log)
    info.update(train_rows=int(xs.shape[0]), validation_rows=int(xvs.shape[0]))
    return _model(params, mean, std, "softmax", info)


def predict(model, x):
    """float64 outputs of a trained model (probabilities or embedding): the training-side pass."""
    params = [a.astype(np.float64) for w, b, _ in model["layers"] for a in (w, b)]
    out = _forward(params, _scaled(x, model["mean"], model["std"]))[-1]
    return _softmax64(out) if model["layers"][-1][2] == "softmax" else out


def contrastive(e1, e2, same, margin):
    """Loss per pair and its gradient with respect to e1 (the gradient for e2 is minus it)."""
    diff = e1 - e2
    d = np.sqrt((diff * diff).sum(axis=1) + 1e-12)
    hinge = np.maximum(margin - d, 0.0)
    loss = np.where(same, d * d, hinge * hinge)
    g = np.where(same[:, None], 2.0 * diff, (-2.0 * hinge / d)[:, None] * diff)
    return loss, g


def train_embedding(x, pairs, same, pairs_val, same_val, x_val, dim, seed, hidden=(32, 32), margin=1.0,
                    lr=2.5e-3, batch=1024, max_epochs=30, patience=4, log=None):
    """Embedding MLP; pairs [n, 2] row indices of x, same [n] bool. Every epoch
    sees all same-particle pairs and as many other pairs, drawn afresh."""
    rng = np.random.default_rng(seed)
    mean, std = standardisation(x)
    xs, xvs = _scaled(x, mean, std), _scaled(x_val, mean, std)
    same, same_val = np.asarray(same, bool), np.asarray(same_val, bool)
    pos, neg = np.nonzero(same)[0], np.nonzero(~same)[0]
    params = _init(rng, [x.shape[1], *hidden, dim])

    def batches():
        chosen = np.concatenate([pos, rng.choice(neg, size=min(neg.size, max(pos.size, 1)), replace=False)])
        order = rng.permutation(chosen)
        return (order[s:s + batch] for s in range(0, order.size, batch))

    def loss_and_grad(p, idx):
        rows = np.concatenate([pairs[idx, 0], pairs[idx, 1]])
        acts = _forward(p, xs[rows])
        n = idx.size
        _, g = contrastive(acts[-1][:n], acts[-1][n:], same[idx], margin)
        return _backward(p, acts, np.concatenate([g, -g]) / n)

    def val_loss(p):
        e = _forward(p, xvs)[-1]
        loss, _ = contrastive(e[pairs_val[:, 0]], e[pairs_val[:, 1]], same_val, margin)
        # both kinds of pair weigh the same, as in training
        return float(0.5 * loss[same_val].mean() + 0.5 * loss[~same_val].mean())

    params, info = _fit(loss_and_grad, val_loss, params, batches, lr, max_epochs, patience, log)
    info.update(train_pairs=int(pairs.shape[0]), same_pairs=int(pos.size), margin=margin)
    return _model(params, mean, std, "linear", info)
