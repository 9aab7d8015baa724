import XCTest
import TrigMLCore
import TrigMLForest
@testable import TrigMLLUT

/// Forests that name their inputs (XGBoost `feature_names`) must name the
/// scheme's inputs, index by index; forests without names are accepted.
final class InputNameTests: XCTestCase {
    static let toyPath = String(#filePath.dropLast("Tests/TrigMLLUTTests/InputNameTests.swift".count))
        + "Tests/golden/lut/xgb_mode7_toy.json"

    func toy(names: [String]) throws -> Forest {
        let text = String(decoding: try readWholeFile(Self.toyPath), as: UTF8.self)
        let named = "\"feature_names\":[" + names.map { "\"\($0)\"" }.joined(separator: ",") + "]"
        XCTAssertTrue(text.contains("\"feature_names\":[]"))
        let edited = text.split(separator: "\"feature_names\":[]", maxSplits: 1, omittingEmptySubsequences: false)
            .joined(separator: named)
        return try Forest.parse(text: edited, source: "toy.json")
    }

    func generate(_ forest: Forest, _ scheme: LUTScheme) throws -> [UInt16] {
        var words = [UInt16](repeating: 7, count: 64)
        try words.withUnsafeMutableBufferPointer {
            try LUTGenerator.generate(scheme: scheme, forest: forest, conversion: PtConversion.preset("emtf2017"),
                                      first: scheme.firstAddress, count: 64, out: $0.baseAddress!, threads: 1)
        }
        return words
    }

    func testMatchingNamesAndNoNamesGiveTheSameWords() throws {
        let scheme = try LUTScheme.preset("emtf2017-mode7")
        let named = try toy(names: scheme.inputNames)
        XCTAssertEqual(named.featureNames, scheme.inputNames)
        let unnamed = try toy(names: [])
        XCTAssertNil(unnamed.featureNames)
        XCTAssertEqual(try generate(named, scheme), try generate(unnamed, scheme))
    }

    func testSwappedNamesAreRefusedNamingTheFirstMismatch() throws {
        let scheme = try LUTScheme.preset("emtf2017-mode7")
        var names = scheme.inputNames
        names.swapAt(1, 2)
        let forest = try toy(names: names)
        let expected = "forest input 1 is named '\(names[1])' but scheme 'emtf2017-mode7' decodes '\(scheme.inputNames[1])' there"
        XCTAssertThrowsError(try generate(forest, scheme)) { error in
            XCTAssertEqual((error as? TMLError)?.code, .shape)
            XCTAssertTrue((error as? TMLError)?.message.hasPrefix(expected) ?? false, "\(error)")
            XCTAssertTrue((error as? TMLError)?.message.contains("first of 2 mismatched names") ?? false, "\(error)")
        }
        XCTAssertThrowsError(try LUTGenerator.checkRange(scheme, forest, first: scheme.firstAddress, count: 0))
        XCTAssertThrowsError(try [scheme.firstAddress].withUnsafeBufferPointer {
            try LUTGenerator.evaluate(scheme: scheme, forest: forest, conversion: PtConversion.preset("emtf2017"),
                                      addresses: $0, words: nil, margins: nil, threads: 1)
        }) { XCTAssertEqual(($0 as? TMLError)?.code, .shape) }
    }

    func testNameCountMustMatchTheFeatureCount() throws {
        XCTAssertThrowsError(try toy(names: ["theta"])) { error in
            XCTAssertEqual((error as? TMLError)?.code, .shape)
            XCTAssertTrue("\(error)".contains("feature_names has 1 names but num_feature is"), "\(error)")
        }
    }
}

/// `Forest.exitLeaves` + `LUTForest.output(leaves:)` (the path of
/// `trigml lut verify`) equal the LUT form's own evaluation, for mask trees
/// and for walk trees (more than 32 leaves), NaN inputs included.
final class ExitLeavesTests: XCTestCase {
    func testExitLeavesSumEqualsTheLUTForm() throws {
        // Depth-3 trees (mask layout) and one complete depth-6 tree (64 leaves: walk layout).
        var state: UInt64 = 11
        func next() -> Double { state = state &* 6364136223846793005 &+ 1442695040888963407; return Double(state >> 11) / Double(1 << 53) }
        func tree(depth: Int) -> String {
            let nodes = (1 << (depth + 1)) - 1, internalCount = (1 << depth) - 1
            var left = [Int](), right = [Int](), feature = [Int](), threshold = [Double](), value = [Double]()
            for i in 0..<nodes {
                let leaf = i >= internalCount
                left.append(leaf ? -1 : 2 * i + 1); right.append(leaf ? -1 : 2 * i + 2)
                feature.append(Int(next() * 4)); threshold.append(leaf ? 0 : (next() - 0.5) * 4)
                value.append(leaf ? (next() - 0.5) * 0.3 : 0)
            }
            return "{\"left\":\(left),\"right\":\(right),\"feature\":\(feature),\"threshold\":\(threshold),\"value\":\(value)}"
        }
        let trees = (0..<7).map { tree(depth: $0 == 3 ? 6 : 3) }
        let forest = try Forest.parse(text: "{\"format\":\"trigml.forest\",\"format_version\":1,\"feature_count\":4,\"base_score\":0.1,\"trees\":[\(trees.joined(separator: ","))]}", source: "f")
        let lut = try forest.lutForm()
        XCTAssertFalse(lut.allMask)
        let rows = 300
        var x = (0..<(rows * 4)).map { _ in Float((next() - 0.5) * 5) }
        x[7] = .nan; x[100] = .nan
        var leaves = [UInt32](repeating: 0, count: rows * forest.treeCount)
        try x.withUnsafeBufferPointer { try forest.exitLeaves(rows: rows, x: $0.baseAddress!, rowStride: 4, featureStride: 1, out: &leaves) }
        var viaLeaves = [Float](repeating: 0, count: rows)
        XCTAssertTrue(leaves.withUnsafeBufferPointer { lut.outputs(leaves: $0.baseAddress!, rows: rows, out: &viaLeaves) })
        for row in 0..<rows {
            let direct = x.withUnsafeBufferPointer { lut.output(lut.sum($0.baseAddress! + row * 4)) }
            XCTAssertEqual(viaLeaves[row].bitPattern, direct.bitPattern, "row \(row)")
        }
        // A number that is no leaf of its tree is refused, not read past the tree.
        var bad = [UInt32](repeating: 0, count: forest.treeCount)
        bad[0] = 8
        var one: [Float] = [0]
        XCTAssertFalse(bad.withUnsafeBufferPointer { lut.outputs(leaves: $0.baseAddress!, rows: 1, out: &one) })
    }
}
