"""Tagger and log_ratio_discriminant: golden scores and every bad argument."""
import numpy as np
import pytest

import trigml
from bad_arguments import raises_naming
from conftest import GOLDEN
from jets_file import read_jets
from tagger_golden import read_scores

TAGGERS = GOLDEN / "taggers"


@pytest.fixture(scope="module")
def jets():
    return read_jets(TAGGERS / "jets.bin")


@pytest.fixture(scope="module")
def deepsets():
    with trigml.Tagger.load(TAGGERS / "deepsets_sigmoid.json") as tagger:
        yield tagger


def test_golden_scores(jets, deepsets):
    want = read_scores(TAGGERS / "deepsets_sigmoid.scores.bin")
    got = deepsets.score(jets["jet_features"], jets["offsets"], jets["constituent_features"])
    assert got.shape == want.shape == (len(jets["offsets"]) - 1, deepsets.output_count)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)
    with trigml.Tagger.load(TAGGERS / "mlp_sigmoid.json") as mlp:
        assert mlp.constituent_feature_count == 0
        np.testing.assert_allclose(mlp.score(jets["jet_features"]),
                                   read_scores(TAGGERS / "mlp_sigmoid.scores.bin"), rtol=0, atol=1e-6)


def test_layout_does_not_change_scores(jets, deepsets):
    want = deepsets.score(jets["jet_features"], jets["offsets"], jets["constituent_features"])
    got = deepsets.score(np.asfortranarray(jets["jet_features"]).astype(np.float64),
                         jets["offsets"].astype(np.int64), jets["constituent_features"][::-1][::-1])
    assert np.array_equal(got, want, equal_nan=True)  # jets with non-finite inputs score NaN


def test_bad_arguments(jets, deepsets):
    jf, off, cf = jets["jet_features"], jets["offsets"], jets["constituent_features"]
    raises_naming(ValueError, "constituent_offsets", deepsets.score, jf, off[:-1], cf)    # length
    raises_naming(ValueError, "jet_features", deepsets.score, jf[:, :5], off, cf)         # columns
    raises_naming(ValueError, "constituent_features", deepsets.score, jf, off, cf[:, :2])
    raises_naming(ValueError, "jet_features", deepsets.score, jf.ravel(), off, cf)        # dims
    raises_naming(ValueError, "constituent_offsets", deepsets.score, jf, off[:, None], cf)
    raises_naming(TypeError, "constituent_offsets", deepsets.score, jf, off.astype(np.float32), cf)  # dtype
    raises_naming(ValueError, "constituent_offsets", deepsets.score, jf, off.astype(np.int64) - 1, cf)
    raises_naming(TypeError, "jet_features", deepsets.score, jf.astype(str), off, cf)
    raises_naming(ValueError, "constituent_features", deepsets.score, jf, off)
    raises_naming(ValueError, "Deep Sets", deepsets.score, jf)
    with pytest.raises(TypeError):
        deepsets.score(jf, offsets=off, constituent_features=cf)                        # keyword


def test_log_ratio_discriminant():
    prob = np.array([[0.5, 0.3, 0.2], [0.1, 0.6, 0.3]], np.float32)
    got = trigml.log_ratio_discriminant(prob, 0, [0.0, 0.5, 0.5])
    want = np.log((prob[:, 0] + 1e-10) / (0.5 * prob[:, 1] + 0.5 * prob[:, 2] + 1e-10))
    np.testing.assert_allclose(got, want, rtol=1e-6)
    raises_naming(ValueError, "background_fractions", trigml.log_ratio_discriminant, prob, 0, [0.0, 1.0])
    raises_naming(ValueError, "prob", trigml.log_ratio_discriminant, prob[0], 0, [0.0, 0.5, 0.5])
    raises_naming(TypeError, "signal_class", trigml.log_ratio_discriminant, prob, 0.5, [0.0, 0.5, 0.5])
    raises_naming(TypeError, "prob", trigml.log_ratio_discriminant, prob.astype(object).astype(str), 0, [0, 1, 0])
    with pytest.raises(trigml.TrigMLError) as info:
        trigml.log_ratio_discriminant(prob, 3, [0.0, 0.5, 0.5])
    assert "signal_class" in info.value.message
    with pytest.raises(TypeError):
        trigml.log_ratio_discriminant(prob, 0, [0.0, 0.5, 0.5], fractions=None)


def test_raw_inputs_through_version_2_equal_version_1_on_normalised_inputs(jets):
    """The golden taggers name their inputs and divide the multiplicity by
    50 themselves: on the raw jets they give, bit for bit, what the
    version-1 files they replaced give on multiplicity / 50 (float32)."""
    normalised = jets["jet_features"].copy()
    normalised[:, 6] = normalised[:, 6] / np.float32(50)
    for name in ("mlp_softmax", "deepsets_sigmoid"):
        with trigml.Tagger.load(TAGGERS / f"{name}.json") as new, trigml.Tagger.load(TAGGERS / "v1" / f"{name}.json") as old:
            args = () if name.startswith("mlp") else (jets["offsets"], jets["constituent_features"])
            raw_scores = new.score(jets["jet_features"], *args)
            assert np.array_equal(raw_scores, old.score(normalised, *args), equal_nan=True), name
            assert not np.array_equal(raw_scores, old.score(jets["jet_features"], *args), equal_nan=True), name
