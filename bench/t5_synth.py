"""Synthetic T5 events for the benchmark, written as a T5 event file.

Format: docs/formats/t5_events.md (magic TMLT5EV1). Deterministic (fixed
seed). Physically motivated, not physics-accurate: what matters for timing is
that every candidate runs the full index chain (T5 -> T3 -> MD) over valid,
realistic values, in the memory order a tracking framework produces.

Per event: charged tracks from the beam spot (pT spectrum falling from
0.8 GeV, |eta| < 2.4, 3.8 T helices) cross a CMS-outer-tracker-like
geometry (6 barrel layers, 5 endcap disks). Each hit becomes a mini-doublet
anchor (smeared). True T3s are consecutive anchor triples of one track;
true T5s are consecutive windows of five anchors. Fake T3s/T5s mix anchors
of neighbouring tracks on the same layers (the combinatorics LST scores),
always keeping the chain rule (outer T3 starts at the inner T3's last MD).
MDs are stored grouped by layer and sorted in phi (module-like order), T5s
by the layer and phi of their first anchor.
"""
import argparse
import struct

import numpy as np

K2RINV1GEVF = (2.99792458e-3 * 3.8) / 2
BARREL_R = np.array([23.0, 35.7, 50.8, 68.6, 88.4, 108.0])
BARREL_HALF_LENGTH = 120.0
DISK_Z = np.array([131.0, 156.0, 185.0, 220.0, 265.0])
DISK_R_MIN, DISK_R_MAX = 23.0, 110.0


def circle_radius(x1, y1, x2, y2, x3, y3):
    """Circumradius of three points (vectorised, float64)."""
    ax, ay = x2 - x1, y2 - y1
    bx, by = x3 - x2, y3 - y2
    cx, cy = x3 - x1, y3 - y1
    cross = np.abs(ax * cy - ay * cx)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.hypot(ax, ay) * np.hypot(bx, by) * np.hypot(cx, cy) / (2 * cross)


def make_tracks(rng, n):
    """Returns per-track arrays of their first hits, ordered along the track:
    x, y, z, layer as [n, 6] (NaN / 0 past the last hit) and hit counts."""
    u = rng.random(n)
    pt = 0.8 * (1 - u * (1 - (100 / 0.8) ** -1.6)) ** (-1 / 1.6)  # power law 0.8..100 GeV
    eta = rng.uniform(-2.4, 2.4, n)
    phi0 = rng.uniform(-np.pi, np.pi, n)
    q = rng.choice([-1.0, 1.0], n)
    z0 = rng.normal(0, 4.0, n)
    R = pt / (2 * K2RINV1GEVF)  # cm
    sh = np.sinh(eta)

    # Candidate crossings: 6 barrel layers then 5 disks (on the eta side).
    s_list, r_list, lay_list = [], [], []
    for i, rb in enumerate(BARREL_R):
        ok = rb < 2 * R
        s = np.where(ok, 2 * R * np.arcsin(np.minimum(rb / (2 * R), 1.0)), np.nan)
        z = z0 + s * sh
        s = np.where(np.abs(z) < BARREL_HALF_LENGTH, s, np.nan)
        s_list.append(s); r_list.append(np.full(n, rb)); lay_list.append(np.full(n, i + 1))
    for i, zd in enumerate(DISK_Z):
        s = (np.sign(eta) * zd - z0) / np.where(sh == 0, np.nan, sh)
        s = np.where((s > 0) & (s < np.pi * R), s, np.nan)
        r = 2 * R * np.sin(s / (2 * R))
        s = np.where((r > DISK_R_MIN) & (r < DISK_R_MAX), s, np.nan)
        s_list.append(s); r_list.append(r); lay_list.append(np.full(n, 7 + i))
    S = np.stack(s_list, 1)
    Rr = np.stack(r_list, 1)
    L = np.stack(lay_list, 1)
    order = np.argsort(np.where(np.isnan(S), np.inf, S), axis=1)[:, :6]
    S = np.take_along_axis(S, order, 1)
    Rr = np.take_along_axis(Rr, order, 1)
    L = np.take_along_axis(L, order, 1)
    nhits = np.sum(~np.isnan(S), 1)
    hit_phi = phi0[:, None] - q[:, None] * np.arcsin(np.minimum(Rr / (2 * R[:, None]), 1.0))
    x = Rr * np.cos(hit_phi)
    y = Rr * np.sin(hit_phi)
    z = z0[:, None] + S * sh[:, None]
    # Smearing: ~30 um in r-phi, 1 mm in z (PS-like), anchors only.
    rphi = rng.normal(0, 0.003, x.shape)
    x = x - rphi * np.sin(hit_phi)
    y = y + rphi * np.cos(hit_phi)
    z = z + rng.normal(0, 0.1, z.shape)
    L = np.where(np.isnan(S), 0, L)
    return x, y, z, L, nhits


def make_event(rng, n_tracks):
    x, y, z, L, nhits = make_tracks(rng, n_tracks)
    keep = nhits >= 5
    x, y, z, L, nhits = x[keep], y[keep], z[keep], L[keep], nhits[keep]
    nt = len(nhits)
    # MDs: every hit of every kept track, plus unmatched noise anchors.
    hit_ok = L > 0
    md_track_slot = -np.ones(L.shape, dtype=np.int64)
    md_track_slot[hit_ok] = np.arange(hit_ok.sum())
    mx, my, mz, ml = x[hit_ok], y[hit_ok], z[hit_ok], L[hit_ok]

    # T3s: consecutive triples (0,1,2), (2,3,4), and for 6-hit tracks (1,2,3), (3,4,5).
    t3 = []          # (md_a, md_b, md_c)
    t5 = []          # (t3_in, t3_out)

    def add_t3(a, b, c):
        t3.append(np.stack([a, b, c], 1))
        return np.arange(sum(len(v) for v in t3[:-1]), sum(len(v) for v in t3))

    idx = md_track_slot
    all_tr = np.arange(nt)
    in_a = add_t3(idx[all_tr, 0], idx[all_tr, 1], idx[all_tr, 2])
    out_a = add_t3(idx[all_tr, 2], idx[all_tr, 3], idx[all_tr, 4])
    t5.append(np.stack([in_a, out_a], 1))
    six = all_tr[nhits >= 6]
    in_b = add_t3(idx[six, 1], idx[six, 2], idx[six, 3])
    out_b = add_t3(idx[six, 3], idx[six, 4], idx[six, 5])
    t5.append(np.stack([in_b, out_b], 1))

    # Fakes: pair each track with its phi-neighbours that share its first
    # five layers; swap the outer (or inner) two anchors.
    sig = L[:, 0].astype(np.int64)
    for k in range(1, 5):
        sig = sig * 16 + L[:, k]
    phi3 = np.arctan2(y[:, 2], x[:, 2])
    order = np.lexsort((phi3, sig))
    for shift in (1, 2):
        a = order[:-shift]
        b = order[shift:]
        same = sig[a] == sig[b]
        a, b = a[same], b[same]
        # outer swap: T3in of a, fake T3 (a.md3, b.md4, b.md5)
        fo = add_t3(idx[a, 2], idx[b, 3], idx[b, 4])
        t5.append(np.stack([in_a[a], fo], 1))
        # inner swap: fake T3 (b.md1, b.md2, a.md3), T3out of a
        if shift == 1:
            fi = add_t3(idx[b, 0], idx[b, 1], idx[a, 2])
            t5.append(np.stack([fi, out_a[a]], 1))
    t3 = np.concatenate(t3)
    t5 = np.concatenate(t5)

    # Noise anchors (unused by any T5), 20% on top, spread on the layers.
    n_noise = len(mx) // 5
    nl = rng.integers(1, 7, n_noise)
    nphi = rng.uniform(-np.pi, np.pi, n_noise)
    nr = BARREL_R[nl - 1]
    mx = np.concatenate([mx, nr * np.cos(nphi)])
    my = np.concatenate([my, nr * np.sin(nphi)])
    mz = np.concatenate([mz, rng.uniform(-BARREL_HALF_LENGTH, BARREL_HALF_LENGTH, n_noise)])
    ml = np.concatenate([ml, nl])

    # Module-like order: MDs by layer then phi.
    mphi = np.arctan2(my, mx)
    md_order = np.lexsort((mphi, ml))
    md_rank = np.empty_like(md_order); md_rank[md_order] = np.arange(len(md_order))
    mx, my, mz, ml, mphi = mx[md_order], my[md_order], mz[md_order], ml[md_order], mphi[md_order]
    t3 = md_rank[t3]
    # T3 order: by first MD; T5 order: by first MD of the inner T3.
    t3_order = np.lexsort((t3[:, 1], t3[:, 0]))
    t3_rank = np.empty_like(t3_order); t3_rank[t3_order] = np.arange(len(t3_order))
    t3 = t3[t3_order]
    t5 = t3_rank[t5]
    t5 = t5[np.lexsort((t5[:, 1], t3[t5[:, 0], 0]))]

    f32 = np.float32
    md_x, md_y, md_z = mx.astype(f32), my.astype(f32), mz.astype(f32)
    md_r = np.hypot(md_x.astype(np.float64), md_y.astype(np.float64)).astype(f32)
    md_eta = np.arcsinh(md_z.astype(np.float64) / md_r).astype(f32)
    md_phi = mphi.astype(f32)
    X, Y = md_x.astype(np.float64), md_y.astype(np.float64)
    radius = circle_radius(X[t3[:, 0]], Y[t3[:, 0]], X[t3[:, 1]], Y[t3[:, 1]], X[t3[:, 2]], Y[t3[:, 2]])
    radius = np.minimum(radius, 1e5).astype(f32)
    return {
        "md_x": md_x, "md_y": md_y, "md_z": md_z, "md_r": md_r,
        "md_eta": md_eta, "md_phi": md_phi, "md_layer": ml.astype(np.uint8),
        "t3_md": t3.astype(np.uint32), "t3_radius": radius,
        "t5_t3": t5.astype(np.uint32),
    }


def write_events(path, events):
    with open(path, "wb") as f:
        f.write(b"TMLT5EV1")
        f.write(struct.pack("<II", len(events), 0))
        for e in events:
            f.write(struct.pack("<QQQ", len(e["md_x"]), len(e["t3_radius"]), len(e["t5_t3"])))
            for k in ("md_x", "md_y", "md_z", "md_r", "md_eta", "md_phi"):
                f.write(e[k].astype("<f4").tobytes())
            f.write(e["md_layer"].astype(np.uint8).tobytes())
            f.write(e["t3_md"].astype("<u4").tobytes())
            f.write(e["t3_radius"].astype("<f4").tobytes())
            f.write(e["t5_t3"].astype("<u4").tobytes())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--events", type=int, default=16)
    ap.add_argument("--tracks", type=int, default=3000, help="tracks per event")
    ap.add_argument("--seed", type=int, default=20261122)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    events = [make_event(rng, a.tracks) for _ in range(a.events)]
    write_events(a.out, events)
    n5 = sum(len(e["t5_t3"]) for e in events)
    n3 = sum(len(e["t3_radius"]) for e in events)
    nm = sum(len(e["md_x"]) for e in events)
    print(f"wrote {a.out}: {a.events} events, {nm} MDs, {n3} T3s, {n5} T5s "
          f"({n5 / a.events:.0f} T5 per event)")


if __name__ == "__main__":
    main()
