import XCTest
import TrigMLCore
@testable import TrigMLForest

/// Builds a trigml.forest document from per-tree arrays.
func ownForest(featureCount: Int, base: Double = 0, trees: [String]) -> String {
    """
    {"format": "trigml.forest", "format_version": 1, "feature_count": \(featureCount),
     "base_score": \(base), "trees": [\(trees.joined(separator: ","))]}
    """
}

/// One XGBoost tree object, as save_model writes it (fields the loader reads).
func xgbTree(left: [Int], right: [Int], feature: [Int], cond: [String], defaultLeft: [Int]) -> String {
    let n = left.count
    return """
    {"left_children": \(left), "right_children": \(right), "split_indices": \(feature),
     "split_conditions": [\(cond.joined(separator: ","))], "default_left": \(defaultLeft),
     "split_type": \([Int](repeating: 0, count: n)), "base_weights": \([Int](repeating: 0, count: n)),
     "tree_param": {"num_nodes": "\(n)", "num_feature": "2", "size_leaf_vector": "1", "num_deleted": "0"}}
    """
}

func xgbModel(objective: String = "reg:squarederror", baseScore: String = "[5E-1]", numClass: String = "0",
              trees: [String]) -> String {
    """
    {"learner": {"attributes": {}, "feature_names": [], "feature_types": [],
      "gradient_booster": {"model": {"gbtree_model_param": {"num_parallel_tree": "1", "num_trees": "\(trees.count)"},
        "iteration_indptr": [], "tree_info": \([Int](repeating: 0, count: trees.count)),
        "trees": [\(trees.joined(separator: ","))]}, "name": "gbtree"},
      "learner_model_param": {"base_score": "\(baseScore)", "boost_from_average": "1", "num_class": "\(numClass)",
        "num_feature": "2", "num_target": "1"},
      "objective": {"name": "\(objective)", "reg_loss_param": {"scale_pos_weight": "1"}}},
     "version": [3, 2, 0]}
    """
}

/// A depth-1 tree on feature 0 with threshold 1.5: leaves -1 / +2, NaN left.
let stump = xgbTree(left: [1, -1, -1], right: [2, -1, -1], feature: [0, 0, 0],
                    cond: ["1.5", "-1", "2"], defaultLeft: [1, 0, 0])

func loadError(_ text: String) -> TMLError? {
    do {
        _ = try Forest.parse(text: text, source: "t.json")
        return nil
    } catch let e as TMLError {
        return e
    } catch {
        return TMLError(.internalError, "\(error)")
    }
}

final class ForestLoadingTests: XCTestCase {
    func testXgboostStump() throws {
        let f = try Forest.parse(text: xgbModel(trees: [stump]), source: "t.json")
        XCTAssertTrue(f.featureCount == 2 && f.treeCount == 1 && f.summation == .float32)
        XCTAssertTrue(try f.predictOne([1.0, 0]) == 0.5 - 1)
        XCTAssertTrue(try f.predictOne([1.5, 0]) == 0.5 + 2)      // x == cut goes right
        XCTAssertTrue(try f.predictOne([Float(1.5).nextDown, 0]) == 0.5 - 1)
        XCTAssertTrue(try f.predictOne([.nan, 0]) == 0.5 - 1)     // default_left = 1
        XCTAssertTrue(try f.predictOne([.infinity, 0]) == 0.5 + 2)
        XCTAssertTrue(try f.predictOne([-.infinity, 0]) == 0.5 - 1)
        XCTAssertTrue(try f.predictOne([1.0]) == nil)
    }

    func testNanFollowsDefaultRight() throws {
        let right = xgbTree(left: [1, -1, -1], right: [2, -1, -1], feature: [1, 0, 0],
                            cond: ["0", "-1", "2"], defaultLeft: [0, 0, 0])
        let f = try Forest.parse(text: xgbModel(trees: [right]), source: "t.json")
        XCTAssertTrue(try f.predictOne([0, .nan]) == 0.5 + 2)
        XCTAssertTrue(try f.predictOne([0, -0.0]) == 0.5 + 2)     // -0 < 0 is false
        XCTAssertTrue(try f.predictOne([0, -Float.leastNonzeroMagnitude]) == 0.5 - 1)
    }

    func testBaseScoreFormats() throws {
        for text in ["[5E-1]", "5E-1", "0.5", " [ 5E-1 ] "] {
            let f = try Forest.parse(text: xgbModel(baseScore: text, trees: []), source: "t.json")
            XCTAssertTrue(try f.predictOne([0, 0]) == 0.5)
        }
    }

    func testLogisticBaseMarginIsFloat32Formula() throws {
        // -logf(1/p - 1) in float32 (XGBoost's ProbToMargin); the same in
        // double differs in the last bit for most of these (values from glibc).
        let cases: [(Float, UInt32)] = [(0.458, 0xbe2c_7037), (0.314, 0xbf48_0f61), (0.37731993, 0xbf00_3d8f),
                                        (0.9, 0x400c_9f52), (1e-3, 0xc0dd_0422), (0.5, 0x8000_0000)]
        for (p, bits) in cases {
            XCTAssertTrue(try XGBoostObjective.binaryLogistic.baseMargin(baseScore: p).bitPattern == bits)
            XCTAssertTrue(try XGBoostObjective.logistic.baseMargin(baseScore: p).bitPattern == bits)
        }
        XCTAssertTrue(try XGBoostObjective.squaredError.baseMargin(baseScore: 0.458) == 0.458)
        XCTAssertTrue(try XGBoostObjective.absoluteError.baseMargin(baseScore: -3) == -3)
        let f = try Forest.parse(text: xgbModel(objective: "binary:logistic", baseScore: "[4.58E-1]", trees: []),
                                 source: "t.json")
        XCTAssertTrue(try f.predictOne([0, 0])?.bitPattern == 0xbe2c_7037)
        for bad in ["[0E0]", "[1E0]", "[1.5E0]"] {
            XCTAssertTrue(loadError(xgbModel(objective: "binary:logistic", baseScore: bad, trees: []))?.code == .format)
        }
    }

    func testUnsupportedModels() {
        let poisson = loadError(xgbModel(objective: "count:poisson", trees: [stump]))
        XCTAssertTrue(poisson?.code == .unsupported)
        XCTAssertTrue(poisson?.message.contains("reg:squarederror") == true)
        let multi = loadError(xgbModel(objective: "multi:softprob", numClass: "3", trees: [stump]))
        XCTAssertTrue(multi?.code == .unsupported)
        XCTAssertTrue(multi?.message.contains("multi-class") == true)
        XCTAssertTrue(loadError(xgbModel(numClass: "3", trees: [stump]))?.code == .unsupported)
        XCTAssertTrue(loadError(xgbModel(baseScore: "[1E0,2E0]", trees: [stump]))?.code == .unsupported)
        let dart = xgbModel(trees: [stump]).replacing("\"name\": \"gbtree\"", with: "\"name\": \"dart\"")
        XCTAssertTrue(loadError(dart)?.code == .unsupported)
        let categorical = stump.replacing("\"split_type\": [0, 0, 0]", with: "\"split_type\": [1, 0, 0]")
        XCTAssertTrue(loadError(xgbModel(trees: [categorical]))?.code == .unsupported)
    }

    func testMalformedStructure() {
        func tree(_ left: [Int], _ right: [Int], feature: [Int]? = nil) -> String {
            let n = left.count
            return xgbTree(left: left, right: right, feature: feature ?? [Int](repeating: 0, count: n),
                           cond: [String](repeating: "1", count: n), defaultLeft: [Int](repeating: 0, count: n))
        }
        let cases: [(String, TMLError.Code, String)] = [
            (tree([1, -1, 0], [2, -1, 1]), .format, "second time"),           // cycle back to root
            (tree([0, -1, -1], [2, -1, -1]), .format, "second time"),         // self loop
            (tree([1, 1, -1], [2, 1, -1]), .format, "both children"),
            (tree([1, -1, -1], [2, -1, 3]), .format, "a leaf needs both"),
            (tree([5, -1, -1], [2, -1, -1]), .format, "outside [0, 3)"),
            (tree([1, -1, -1], [-2, -1, -1]), .format, "right child -2"),
            (tree([1, -1, -1], [2, -1, -1], feature: [2, 0, 0]), .format, "feature 2"),
            (tree([1, -1, -1], [2, -1, -1], feature: [-1, 0, 0]), .format, "feature -1"),
            (tree([], []), .format, "no nodes"),
        ]
        for (t, code, words) in cases {
            let e = loadError(xgbModel(trees: [t]))
            XCTAssertTrue(e?.code == code, "\(words)")
            XCTAssertTrue(e?.message.contains(words) == true, "\(e?.message ?? "no error") lacks \(words)")
        }
    }

    func testNonFiniteAndLengths() {
        let infLeaf = xgbTree(left: [1, -1, -1], right: [2, -1, -1], feature: [0, 0, 0],
                              cond: ["1", "1e999", "2"], defaultLeft: [0, 0, 0])
        XCTAssertTrue(loadError(xgbModel(trees: [infLeaf]))?.message.contains("non-finite") == true)
        let infCut = xgbTree(left: [1, -1, -1], right: [2, -1, -1], feature: [0, 0, 0],
                             cond: ["-1e999", "1", "2"], defaultLeft: [0, 0, 0])
        XCTAssertTrue(loadError(xgbModel(trees: [infCut]))?.message.contains("threshold") == true)
        // An unused (deleted) node may hold anything.
        let deleted = xgbTree(left: [1, -1, -1, 99], right: [2, -1, -1, 99], feature: [0, 0, 0, 50],
                              cond: ["1", "1", "2", "1e999"], defaultLeft: [0, 0, 0, 0])
        XCTAssertTrue(loadError(xgbModel(trees: [deleted])) == nil)
        let short = xgbTree(left: [1, -1, -1], right: [2, -1, -1], feature: [0, 0], cond: ["1", "1", "2"],
                            defaultLeft: [0, 0, 0])
        XCTAssertTrue(loadError(xgbModel(trees: [short]))?.code == .shape)
        XCTAssertTrue(loadError("{\"learner\": ")?.code == .format)
        XCTAssertTrue(loadError("")?.code == .format)
        XCTAssertTrue(loadError("[]")?.code == .format)
        XCTAssertTrue(loadError("{\"learner\": {\"learner_model_param\": 3}}")?.code == .format)
    }

    func testOwnFormat() throws {
        let t = """
        {"left": [1, -1, -1], "right": [2, -1, -1], "feature": [1, 0, 0],
         "threshold": [0.25, 0, 0], "value": [0, 0.1, 0.2]}
        """
        let f = try Forest.parse(text: ownForest(featureCount: 2, base: 0.7, trees: [t, t]), source: "o.json")
        XCTAssertTrue(f.summation == .float64)
        // Double sum in tree order, rounded once: 0.7 + 0.1 + 0.1.
        XCTAssertTrue(try f.predictOne([0, 0]) == Float(0.7 + 0.1 + 0.1))
        XCTAssertTrue(try f.predictOne([0, 0.25]) == Float(0.7 + 0.2 + 0.2))
        XCTAssertTrue(try f.predictOne([0, .nan]) == Float(0.7 + 0.2 + 0.2))   // no default_left: right
        let dl = t.replacing("\"value\"", with: "\"default_left\": [true, false, false], \"value\"")
        let g = try Forest.parse(text: ownForest(featureCount: 2, trees: [dl]), source: "o.json")
        XCTAssertTrue(try g.predictOne([0, .nan]) == Float(0.1))
        XCTAssertTrue(loadError(ownForest(featureCount: 1, trees: [t]))?.message.contains("feature 1") == true)
        XCTAssertTrue(loadError(ownForest(featureCount: 0, trees: [t]))?.code == .format)
        let v2 = ownForest(featureCount: 2, trees: [t]).replacing("\"format_version\": 1", with: "\"format_version\": 9")
        XCTAssertTrue(loadError(v2)?.code == .unsupported)
    }
}
