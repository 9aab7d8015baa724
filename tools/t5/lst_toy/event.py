"""One toy event end to end: particles -> hits -> MDs -> T3 -> T5 batch with truth.

Seeds: event `i` of a sample with seed `s` uses
np.random.default_rng([s, i]), so every event is reproducible on its own
and samples with different seeds are statistically independent.
"""
import numpy as np

from . import build, geometry, hits, particles, propagate

DEFAULT_PILEUP = 40
CLASS_FAKE, CLASS_PROMPT, CLASS_DISPLACED = 0, 1, 2


def transverse_impact_parameter(parts):
    """|d0| in cm: distance of closest approach to the beam line of each particle's
    x-y circle at production (centre as in propagate: h = -q)."""
    radius = geometry.radius_from_pt(parts["pt"])
    h = -parts["q"]
    xc = parts["vx"] - h * radius * np.sin(parts["phi"])
    yc = parts["vy"] + h * radius * np.cos(parts["phi"])
    return np.abs(np.hypot(xc, yc) - radius)


def particle_class(parts):
    """1 prompt, 2 displaced (sim vertex rxy > DISPLACED_VXY), per particle."""
    displaced = np.hypot(parts["vx"], parts["vy"]) > particles.DISPLACED_VXY
    return np.where(displaced, CLASS_DISPLACED, CLASS_PROMPT).astype(np.uint8)


def _object_truth(pid, parts):
    """(particle or -1, class 0/1/2) of objects whose anchors' particles are pid [n, k]."""
    true = (pid[:, 0] >= 0) & np.all(pid == pid[:, :1], axis=1)
    particle = np.where(true, pid[:, 0], -1)
    cls = np.where(true, particle_class(parts)[np.maximum(particle, 0)] if pid.size else 0, CLASS_FAKE)
    return particle, cls.astype(np.uint8)


def make_event(seed, index, pileup=DEFAULT_PILEUP, displaced=0.0):
    """Returns (batch, extra).

    batch: the tml_t5_batch dict (t5_event_file / t5_reference keys) with the
    truth columns t5_is_true, t5_sim_pt, t5_sim_eta (NaN for fakes) and the
    class truth t5_class (0 fake, 1 prompt, 2 displaced), t5_sim_d0 (|d0| cm, NaN for fakes).
    extra: per-T5 chi2 pieces ("chi2_rz", "chi2_radius", "chi2"), per-MD
    sim particle ("md_particle"), the particles, and per-T3 truth.
    displaced: mean number of long-lived decays per event; > 0 also opens the
    segment cuts for displaced tracks (build.D0_MAX_DISPLACED)."""
    rng = np.random.default_rng([int(seed), int(index)])
    parts = particles.generate_particles(rng, pileup, displaced)
    crossings = propagate.propagate(rng, parts)
    h = hits.measure(rng, crossings)
    md = hits.md_columns(h)
    seg = build.build_segments(md, h["bend"], build.D0_MAX_DISPLACED if displaced > 0 else 0.0)
    t3, t3_radius = build.build_triplets(md, seg)
    t5, pieces = build.build_quintuplets(md, t3, t3_radius)

    anchors = np.concatenate([t3[t5[:, 0]], t3[t5[:, 1]][:, 1:]], axis=1) if t5.size else np.zeros((0, 5), np.int64)
    pid = h["particle"][anchors]
    true = (pid[:, 0] >= 0) & np.all(pid == pid[:, :1], axis=1)
    sim_pt = np.where(true, parts["pt"][np.maximum(pid[:, 0], 0)] if pid.size else 0.0, np.nan)
    sim_eta = np.where(true, parts["eta"][np.maximum(pid[:, 0], 0)] if pid.size else 0.0, np.nan)
    t5_particle, t5_class = _object_truth(pid.reshape(-1, 5), parts)
    sim_d0 = np.where(true, transverse_impact_parameter(parts)[np.maximum(t5_particle, 0)] if pid.size else 0.0,
                      np.nan)

    batch = dict(md)
    batch.update(
        n_md=int(md["md_x"].size),
        n_t3=int(t3.shape[0]), t3_md=t3.astype(np.uint32), t3_radius=t3_radius,
        n_t5=int(t5.shape[0]), t5_t3=t5.astype(np.uint32).reshape(-1, 2),
        t5_is_true=true.astype(np.uint8),
        t5_sim_pt=np.asarray(sim_pt, dtype=np.float32).reshape(-1),
        t5_sim_eta=np.asarray(sim_eta, dtype=np.float32).reshape(-1),
        t5_class=t5_class, t5_sim_d0=np.asarray(sim_d0, dtype=np.float32).reshape(-1),
    )
    t3_pid = h["particle"][t3] if t3.size else np.zeros((0, 3), np.int64)
    t3_particle, t3_class = _object_truth(t3_pid, parts)
    extra = dict(
        t3_particle=t3_particle, t3_class=t3_class, md_bend=h["bend"],
        chi2_rz=pieces["rz"], chi2_radius=pieces["radius"], chi2=pieces["total"],
        md_particle=h["particle"], particles=parts, n_segments=int(seg.shape[0]),
        t3_is_true=(t3_pid[:, 0] >= 0) & np.all(t3_pid == t3_pid[:, :1], axis=1),
        t5_particle=np.where(true, pid[:, 0] if pid.size else -1, -1),
    )
    return batch, extra
