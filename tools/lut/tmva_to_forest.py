"""Convert TMVA BDT XML weights into a trigml.forest file (docs/formats/forest.md.

    python3 tools/lut/tmva_to_forest.py weights.xml -o forest.json
    python3 tools/lut/tmva_to_forest.py pt_xmls/2017_v7/15/ -o mode15.json --emtf

Inputs:
- a TMVA weight file (<MethodSetup> ... <Weights><BinaryTree>...</Weights>);
- a directory of one-tree XML files named 0.xml, 1.xml, ... (the CMS EMTF
  layout pt_xmls/<version>/<mode>/<i>.xml read by cmssw
  L1Trigger/L1TMuonEndCap/src/PtAssignmentEngine.cc and src/bdt/Tree.cc),
  read in numeric order;
- or several such files, in the order given.

Semantics written into the forest (tree order is kept; the library sums the
leaves in double, starting from base_score, and rounds to float once):
- leaf value = the leaf Node's `res`;
- gradient boosting (the default): base_score = boostWeight of tree 0, the
  initial value TMVA's regression adds (the EMTF emulator does the same);
  --no-initial-value sets it to 0 (TMVA's BDTG classification, whose raw
  sum is then mapped by 2/(1+exp(-2 s)) - 1 outside the forest);
- TMVA sends a row right when x >= Cut for cType=1 and when x < Cut for
  cType=0; the converter swaps the children of cType=0 nodes so that
  `x < threshold` goes left everywhere. A NaN goes left (TMVA's x >= Cut is
  false for NaN).
- --emtf: the CMS EMTF emulator (L1Trigger/L1TMuonEndCap src/bdt/Node.cc)
  ignores cType and sends NaN right (`x < Cut` left, else right); this flag
  reproduces that reading exactly.
"""
import argparse
import json
import os
import re
import sys
import xml.etree.ElementTree as ET


class ConversionError(Exception):
    pass


def _float(node, name, where):
    text = node.get(name)
    if text is None:
        raise ConversionError(f"{where}: Node has no {name} attribute")
    try:
        value = float(text)
    except ValueError:
        raise ConversionError(f"{where}: {name}={text!r} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ConversionError(f"{where}: {name}={text!r} is not finite")
    return value


def convert_tree(binary_tree, where, emtf):
    """One <BinaryTree> into parallel arrays (root = node 0)."""
    roots = [n for n in binary_tree if n.tag == "Node"]
    if len(roots) != 1:
        raise ConversionError(f"{where}: expected one root <Node>, found {len(roots)}")
    left, right, feature, threshold, value, default_left = [], [], [], [], [], []
    # Breadth-first, so children get larger indices; no recursion.
    queue = [(roots[0], f"{where}/Node")]
    head = 0
    while head < len(queue):
        node, path = queue[head]
        k = head
        head += 1
        kids = [c for c in node if c.tag == "Node"]
        left.append(-1)
        right.append(-1)
        feature.append(0)
        threshold.append(0.0)
        value.append(0.0)
        default_left.append(not emtf)
        if not kids:
            value[k] = _float(node, "res", path)
            continue
        if len(kids) != 2:
            raise ConversionError(f"{path}: a Node must have 0 or 2 child Nodes, found {len(kids)}")
        by_pos = {c.get("pos"): c for c in kids}
        if set(by_pos) == {"l", "r"}:
            lo, hi = by_pos["l"], by_pos["r"]
        else:
            lo, hi = kids  # no pos attributes: document order is left, right
        ivar = node.get("IVar")
        try:
            f = int(ivar)
        except (TypeError, ValueError):
            raise ConversionError(f"{path}: IVar={ivar!r} is not an integer") from None
        if f < 0:
            raise ConversionError(f"{path}: internal node with IVar={f}")
        feature[k] = f
        threshold[k] = _float(node, "Cut", path)
        ctype = node.get("cType", "1")
        if ctype not in ("0", "1"):
            raise ConversionError(f"{path}: cType={ctype!r}, expected 0 or 1")
        if ctype == "0" and not emtf:
            lo, hi = hi, lo  # TMVA: right when x < Cut
        left[k], right[k] = len(queue), len(queue) + 1
        queue.append((lo, path + "/l"))
        queue.append((hi, path + "/r"))
    tree = {"left": left, "right": right, "feature": feature, "threshold": threshold, "value": value}
    tree["default_left"] = default_left
    return tree


def binary_trees(root, where):
    if root.tag == "BinaryTree":
        return [(root, where)]
    found = root.findall(".//BinaryTree")
    if not found:
        raise ConversionError(f"{where}: no <BinaryTree> element")
    return [(t, f"{where}: BinaryTree[{i}]") for i, t in enumerate(found)]


def read_xml(path):
    try:
        return ET.parse(path).getroot()
    except ET.ParseError as e:
        raise ConversionError(f"{path}: not well-formed XML: {e}") from None


def input_files(paths):
    if len(paths) == 1 and os.path.isdir(paths[0]):
        d = paths[0]
        names = [n for n in os.listdir(d) if re.fullmatch(r"\d+\.xml", n)]
        if not names:
            raise ConversionError(f"{d}: no files named <number>.xml")
        names.sort(key=lambda n: int(n[:-4]))
        numbers = [int(n[:-4]) for n in names]
        if numbers != list(range(len(numbers))):
            raise ConversionError(f"{d}: tree files are not numbered 0..{len(numbers) - 1} without gaps")
        return [os.path.join(d, n) for n in names]
    return list(paths)


def convert(paths, emtf=False, initial_value=True, feature_count=None, provenance=None):
    trees, names, boost0 = [], None, None
    for path in input_files(paths):
        root = read_xml(path)
        if names is None:
            variables = root.findall(".//Variables/Variable")
            if variables:
                names = [v.get("Label") or v.get("Expression") or f"x{i}" for i, v in enumerate(variables)]
        for tree_node, where in binary_trees(root, path):
            if boost0 is None:
                boost0 = float(tree_node.get("boostWeight", "0"))
            trees.append(convert_tree(tree_node, where, emtf))
    if not trees:
        raise ConversionError("no trees found")
    used = 1 + max((f for t in trees for f, l in zip(t["feature"], t["left"]) if l != -1), default=0)
    if feature_count is None:
        feature_count = len(names) if names else used
    if feature_count < used:
        raise ConversionError(f"trees use feature {used - 1} but the feature count is {feature_count}")
    doc = {
        "format": "trigml.forest",
        "format_version": 1,
        "feature_count": feature_count,
        "base_score": boost0 if initial_value else 0.0,
        "provenance": provenance or ("tmva_to_forest.py " + ("--emtf " if emtf else "") + " ".join(paths)),
        "trees": trees,
    }
    if names and len(names) == feature_count:
        doc["feature_names"] = names
    return doc


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("inputs", nargs="+", help="weights.xml, a directory of <i>.xml trees, or tree files in order")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--emtf", action="store_true", help="read as the CMS EMTF emulator does (ignore cType, NaN right)")
    ap.add_argument("--no-initial-value", action="store_true", help="base_score 0 instead of tree 0's boostWeight")
    ap.add_argument("--features", type=int, help="feature count (default: the XML's variables, else the largest IVar + 1)")
    args = ap.parse_args(argv)
    try:
        doc = convert(args.inputs, emtf=args.emtf, initial_value=not args.no_initial_value,
                      feature_count=args.features)
    except ConversionError as e:
        print(f"tmva_to_forest: {e}", file=sys.stderr)
        return 1
    with open(args.output, "w") as fh:
        json.dump(doc, fh, separators=(",", ":"))
        fh.write("\n")
    print(f"{args.output}: {len(doc['trees'])} trees, {doc['feature_count']} features")
    return 0


if __name__ == "__main__":
    sys.exit(main())
