"""DDTMap and r50_jsd: a map builds, applies, saves and loads; every bad argument."""
import numpy as np
import pytest

import trigml
from bad_arguments import raises_naming
from conftest import GOLDEN


@pytest.fixture(scope="module")
def sample():
    return dict(np.load(GOLDEN / "taggers" / "ddt_sample.npz"))


@pytest.fixture(scope="module")
def background(sample):
    bkg = sample["label"] == 0
    return sample["score"][bkg], sample["mass"][bkg], sample["pt"][bkg], sample["weight"][bkg]


def test_build_apply_save_load(background, tmp_path):
    score, mass, pt, weight = background
    with trigml.DDTMap.build(score, mass, pt, weight, background_efficiency=0.1, rho_bins=10, pt_bins=3,
                             smoothing="knn", neighbours=4) as ddt_map:
        decorrelated = ddt_map.apply(score, mass, pt)
        ddt_map.save(tmp_path / "map.json")
    assert decorrelated.dtype == np.float32 and decorrelated.shape == score.shape
    passing = np.sum(weight * (decorrelated > 0)) / np.sum(weight)
    assert 0.05 < passing < 0.2
    with trigml.DDTMap.load(tmp_path / "map.json") as loaded:
        assert np.array_equal(loaded.apply(score, mass, pt), decorrelated)


def test_keywords_equal_the_config_members(background):
    score, mass, pt, _ = background
    lower = trigml.ddt_config(0.2, direction=trigml.TML_DDT_LOWER_PASSES, empty_bins="fill")
    assert lower.direction == 1 and lower.rho_bins == 35 and lower.background_efficiency == 0.2
    with trigml.DDTMap.build(score, mass, pt, background_efficiency=0.2, direction="lower_passes") as by_name, \
            trigml.DDTMap.build_with_config(score, mass, pt, None, lower) as by_config:
        assert np.array_equal(by_name.apply(score, mass, pt), by_config.apply(score, mass, pt))


def test_score_transform_travels_with_the_map(background, tmp_path):
    """score_transform="logit": the map takes the tagger's probability and
    gives exactly what an identity map gives on the logits; the file says so;
    a logit passed by mistake is refused, naming the jet."""
    score, mass, pt, weight = background
    p = (1 / (1 + np.exp(-4 * (score.astype(np.float64) - 0.5)))).astype(np.float32)
    clamped = np.clip(p.astype(np.float64), 2.0 ** -149, 1 - 2.0 ** -24)
    z = (np.log(clamped) - np.log1p(-clamped)).astype(np.float32)
    with trigml.DDTMap.build(p, mass, pt, weight, 0.1, score_transform="logit") as on_p, \
            trigml.DDTMap.build(z, mass, pt, weight, 0.1) as on_z:
        assert np.array_equal(on_p.apply(p, mass, pt), on_z.apply(z, mass, pt))
        on_p.save(tmp_path / "map.json")
        with pytest.raises(trigml.TrigMLError) as info:
            on_p.apply(z, mass, pt)
        assert info.value.status == trigml.TML_ERR_INVALID_ARGUMENT and "not a probability" in info.value.message
    assert '"score_transform": "logit"' in (tmp_path / "map.json").read_text()
    assert trigml.ddt_config(0.1, score_transform="logit").score_transform == trigml.TML_DDT_SCORE_LOGIT
    assert trigml.ddt_config(0.1).score_transform == trigml.TML_DDT_SCORE_IDENTITY
    raises_naming(ValueError, "score_transform", trigml.DDTMap.build, p, mass, pt, score_transform="probit")


def test_lengths_that_disagree_never_reach_the_library(background):
    score, mass, pt, weight = background
    with trigml.DDTMap.build(score, mass, pt) as ddt_map:
        long_score = np.zeros(50_000_000, np.float32)  # the crash: 50M scores, 10 masses
        raises_naming(ValueError, "mass", ddt_map.apply, long_score, mass[:10], pt[:10])
        raises_naming(ValueError, "pt", ddt_map.apply, score, mass, pt[:-1])
        raises_naming(ValueError, "score", ddt_map.apply, score[:, None], mass, pt)
        raises_naming(TypeError, "mass", ddt_map.apply, score, mass.astype(str), pt)
        with pytest.raises(TypeError):
            ddt_map.apply(score, mass, pt=pt, weight=None)
    raises_naming(ValueError, "weight", trigml.DDTMap.build, score, mass, pt, weight[:5])


def test_bad_config_keywords(background):
    score, mass, pt, _ = background
    raises_naming(TypeError, "rho_bin", trigml.DDTMap.build, score, mass, pt, rho_bin=3)
    raises_naming(TypeError, "rho_bins", trigml.DDTMap.build, score, mass, pt, rho_bins=3.5)
    raises_naming(ValueError, "rho_bins", trigml.DDTMap.build, score, mass, pt, rho_bins=2**32 + 35)
    raises_naming(ValueError, "min_entries", trigml.DDTMap.build, score, mass, pt, min_entries=-1)
    raises_naming(ValueError, "direction", trigml.DDTMap.build, score, mass, pt, direction="up")
    raises_naming(TypeError, "pt_min", trigml.DDTMap.build, score, mass, pt, pt_min="300")
    raises_naming(TypeError, "config", trigml.DDTMap.build_with_config, score, mass, pt, None, {"rho_bins": 3})
    with pytest.raises(trigml.TrigMLError) as info:  # the value's meaning is the library's check
        trigml.DDTMap.build(score, mass, pt, background_efficiency=1.5)
    assert "background_efficiency" in info.value.message


def test_r50_jsd(sample):
    rejection, inverse_jsd = trigml.r50_jsd(sample["score"], sample["label"], sample["mass"])
    assert rejection > 1 and inverse_jsd > 0
    weighted = trigml.r50_jsd(sample["score"], sample["label"].astype(bool), sample["mass"], sample["weight"])
    assert all(np.isfinite(weighted))
    raises_naming(ValueError, "is_signal", trigml.r50_jsd, sample["score"], sample["label"][:-1], sample["mass"])
    raises_naming(ValueError, "weight", trigml.r50_jsd, sample["score"], sample["label"], sample["mass"],
                  sample["weight"][:3])
    raises_naming(ValueError, "is_signal", trigml.r50_jsd, sample["score"], sample["label"] * 0.5, sample["mass"])
    raises_naming(ValueError, "mass", trigml.r50_jsd, sample["score"], sample["label"], sample["mass"][None])
