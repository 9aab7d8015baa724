"""tools/lut/tmva_to_forest.py: TMVA BDT XML -> trigml.forest, checked against a
direct reading of the XML (TMVA's rule: right when x >= Cut for cType=1,
when x < Cut for cType=0; leaves' res summed in double after tree 0's
boostWeight) through the library, bit for bit.
"""

import numpy as np
import pytest

import tmva_to_forest
from trigml import Forest

N_FEATURES = 4


def random_tree_xml(rng, itree, depth, boost):
    """A TMVA <BinaryTree> as text, and the same tree as nested tuples."""
    def node(d, pos):
        if d == depth or rng.random() < 0.15:
            res = float(rng.normal() * 0.1)
            xml = f'<Node pos="{pos}" depth="{d}" NCoef="0" IVar="-1" Cut="0.0e+00" cType="1" res="{res!r}" rms="0" purity="0" nType="-99"/>'
            return xml, ("leaf", res)
        ivar = int(rng.integers(0, N_FEATURES))
        cut = np.float32(rng.integers(-6, 7) * 0.5)
        ctype = int(rng.integers(0, 2))
        lx, lt = node(d + 1, "l")
        rx, rt = node(d + 1, "r")
        xml = (f'<Node pos="{pos}" depth="{d}" NCoef="0" IVar="{ivar}" Cut="{float(cut):.9e}" cType="{ctype}" '
               f'res="0" rms="0" purity="0.5" nType="0">{lx}{rx}</Node>')
        return xml, ("split", ivar, cut, ctype, lt, rt)
    body, tree = node(0, "s")
    return f'<BinaryTree type="DecisionTree" boostWeight="{boost!r}" itree="{itree}">{body}</BinaryTree>', tree


def tmva_value(tree, x, emtf):
    while tree[0] == "split":
        _, ivar, cut, ctype, lt, rt = tree
        v = x[ivar]
        if emtf:
            right = not (v < cut)
        else:
            ge = bool(v >= cut)
            right = ge if ctype == 1 else not ge
        tree = rt if right else lt
    return tree[1]


def reference(trees, boost0, x, emtf):
    s = boost0
    for t in trees:
        s += tmva_value(t, x, emtf)
    return np.float32(s)


@pytest.fixture(scope="module")
def forest_xml(tmp_path_factory):
    rng = np.random.default_rng(11)
    d = tmp_path_factory.mktemp("tmva")
    texts, trees = [], []
    for i in range(30):
        xml, t = random_tree_xml(rng, i, depth=int(rng.integers(1, 6)), boost=0.0625 if i == 0 else 1.0)
        texts.append(xml)
        trees.append(t)
    variables = "".join(f'<Variable VarIndex="{i}" Expression="v{i}" Label="v{i}" Type="F"/>' for i in range(N_FEATURES))
    weights = (f'<?xml version="1.0"?><MethodSetup Method="BDT::BDTG"><Variables NVar="{N_FEATURES}">{variables}</Variables>'
               f'<Weights NTrees="{len(texts)}" AnalysisType="1">{"".join(texts)}</Weights></MethodSetup>')
    single = d / "weights.xml"
    single.write_text(weights)
    per_tree = d / "15"
    per_tree.mkdir()
    for i, t in enumerate(texts):
        (per_tree / f"{i}.xml").write_text(f'<?xml version="1.0"?>{t}')
    return d, str(single), str(per_tree), trees


def rows(n, seed=3):
    rng = np.random.default_rng(seed)
    x = (rng.integers(-7, 8, size=(n, N_FEATURES)) * 0.5).astype(np.float32)   # often on a cut
    x[rng.random(x.shape) < 0.1] = np.nan
    off = rng.random(x.shape) < 0.1
    x[off] = rng.normal(size=int(off.sum())).astype(np.float32)               # off the grid
    x[rng.random(x.shape) < 0.05] = -0.0
    return x


@pytest.mark.parametrize("emtf", [False, True])
@pytest.mark.parametrize("layout", ["single", "per_tree"])
def test_convert_matches_tmva(forest_xml, tmp_path, emtf, layout):
    d, single, per_tree, trees = forest_xml
    src = single if layout == "single" else per_tree
    out = tmp_path / "f.json"
    args = [src, "-o", str(out)] + (["--emtf"] if emtf else [])
    assert tmva_to_forest.main(args) == 0
    f = Forest.load(out)
    assert (f.feature_count, f.tree_count) == (N_FEATURES, len(trees))
    x = rows(5000)
    got = f.predict(x)
    want = np.array([reference(trees, 0.0625, r, emtf) for r in x], dtype=np.float32)
    assert np.array_equal(got.view(np.uint32), want.view(np.uint32)), int((got != want).sum())


def test_convert_errors(tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text("<MethodSetup><Weights><BinaryTree boostWeight='1'><Node IVar='0' Cut='1' res='0'>"
                   "<Node IVar='-1' res='1'/></Node></BinaryTree></Weights></MethodSetup>")
    with pytest.raises(tmva_to_forest.ConversionError, match="0 or 2 child"):
        tmva_to_forest.convert([str(bad)])
    bad.write_text("<MethodSetup><Weights><BinaryTree")
    with pytest.raises(tmva_to_forest.ConversionError, match="not well-formed"):
        tmva_to_forest.convert([str(bad)])
    bad.write_text("<MethodSetup><Weights><BinaryTree boostWeight='1'><Node IVar='-1' res='nan'/></BinaryTree></Weights></MethodSetup>")
    with pytest.raises(tmva_to_forest.ConversionError, match="not finite"):
        tmva_to_forest.convert([str(bad)])
    gap = tmp_path / "gap"
    gap.mkdir()
    (gap / "0.xml").write_text("<BinaryTree boostWeight='0'><Node IVar='-1' res='1'/></BinaryTree>")
    (gap / "2.xml").write_text("<BinaryTree boostWeight='0'><Node IVar='-1' res='1'/></BinaryTree>")
    with pytest.raises(tmva_to_forest.ConversionError, match="without gaps"):
        tmva_to_forest.convert([str(gap)])
