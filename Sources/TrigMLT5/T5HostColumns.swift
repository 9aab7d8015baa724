import TrigMLCore
import TrigMLKernels

/// The members of a `tml_t5_columns` as they arrive (copied out of the C
/// struct by the ABI layer; nothing checked yet): row-major tables of
/// `mdCount` floats per MD, `t3Count` per T3, `t5Count` per T5.
package struct T5HostColumns {
    package var mdCount: UInt32 = 0, t3Count: UInt32 = 0, t5Count: UInt32 = 0
    package var md, t3, t5: UnsafePointer<Float>?

    package init() {}
}

/// Host columns checked against one batch and one model: every table the
/// model reads is present and wide enough for the columns it reads, so
/// gathering needs no bounds checks. Fails before any output is written.
package struct T5ColumnView {
    let md, t3, t5: UnsafePointer<Float>?
    let mdStride, t3Stride, t5Stride: Int

    /// No host columns (a model without extra inputs).
    package static let none = T5ColumnView(md: nil, t3: nil, t5: nil, mdStride: 0, t3Stride: 0, t5Stride: 0)

    private init(md: UnsafePointer<Float>?, t3: UnsafePointer<Float>?, t5: UnsafePointer<Float>?,
                 mdStride: Int, t3Stride: Int, t5Stride: Int) {
        (self.md, self.t3, self.t5) = (md, t3, t5)
        (self.mdStride, self.t3Stride, self.t5Stride) = (mdStride, t3Stride, t5Stride)
    }

    /// `columns` is nil when the caller passed none (`cols = NULL`, or the
    /// calls without a cols argument, tml_t5_score and tml_t5_features).
    package init(_ columns: T5HostColumns?, batch: T5Batch, model: T5Model) throws {
        let reads = model.extraInputs
        guard let columns else {
            if let first = reads.first {
                throw TMLError.invalid("cols is NULL but the model reads \(reads.count) host column(s) (extra_inputs[0]: \(first.description)); pass them in a tml_t5_columns to tml_t5_score_ex, tml_t5_features_ex or tml_t5_embed")
            }
            self = .none
            return
        }
        func table(_ name: String, _ pointer: UnsafePointer<Float>?, width: UInt32, rows: Int, rowName: String,
                   needs: (T5ExtraInput.Source) -> Bool) throws -> UnsafePointer<Float>? {
            // A NULL table with a width is malformed even when unread: the
            // caller meant to pass something.
            _ = try checkedCount(UInt64(rows), elementBytes: 4, perItem: UInt64(width), what: "\(rowName) x cols->\(name)_count")
            if pointer == nil && width > 0 && rows > 0 {
                throw TMLError.invalid("cols->\(name) is NULL but cols->\(name)_count = \(width) and \(rowName) = \(rows)")
            }
            for (index, input) in reads.enumerated() where needs(input.source) && input.column >= Int(width) {
                throw TMLError.shape("cols->\(name)_count = \(width) but extra_inputs[\(index)] reads \(input.description)")
            }
            if pointer == nil && rows > 0, let index = reads.firstIndex(where: { needs($0.source) }) {
                throw TMLError.invalid("cols->\(name) is NULL but extra_inputs[\(index)] reads \(reads[index].description)")
            }
            return pointer
        }
        md = try table("md", columns.md, width: columns.mdCount, rows: batch.mdCount, rowName: "n_md") {
            if case .md = $0 { return true } else { return false }
        }
        t3 = try table("t3", columns.t3, width: columns.t3Count, rows: batch.t3Count, rowName: "n_t3") {
            if case .t3 = $0 { return true } else { return false }
        }
        t5 = try table("t5", columns.t5, width: columns.t5Count, rows: batch.t5Count, rowName: "n_t5") { $0 == .t5 }
        (mdStride, t3Stride, t5Stride) = (Int(columns.mdCount), Int(columns.t3Count), Int(columns.t5Count))
    }

    /// The values of `input` for candidates first ..< first + lanes into
    /// `out[0 ..< lanes]`: the table and the index-chain step are chosen once,
    /// then one load chain per candidate. Only called with a view made for
    /// this model and batch, so every index is in range.
    @inline(__always)
    func fill(_ input: T5ExtraInput, batch: T5Batch, first: Int, lanes: Int, into out: UnsafeMutablePointer<Float>) {
        switch input.source {
        case .md(let anchor):
            // md1...md3 are the inner T3's MDs, md4 and md5 the outer T3's
            // last two (T5Batch.anchors).
            let (whichT3, slot) = anchor <= 3 ? (0, anchor - 1) : (1, anchor - 3)
            let table = md.unsafelyUnwrapped + input.column
            for lane in 0..<lanes {
                let t3Index = Int(batch.t5T3[2 &* (first &+ lane) &+ whichT3])
                out[lane] = table[Int(batch.t3MD[3 &* t3Index &+ slot]) &* mdStride]
            }
        case .t3(let outer):
            let table = t3.unsafelyUnwrapped + input.column
            for lane in 0..<lanes {
                out[lane] = table[Int(batch.t5T3[2 &* (first &+ lane) &+ (outer ? 1 : 0)]) &* t3Stride]
            }
        case .t5:
            let table = t5.unsafelyUnwrapped + input.column
            for lane in 0..<lanes { out[lane] = table[(first &+ lane) &* t5Stride] }
        }
    }
}

extension T5Model {
    /// Completes a tile after the feature set's inputs: the extra inputs of
    /// candidates first ..< first + lanes (zero in the lanes past them), then,
    /// when `standardized`, the standardisation of every input.
    @inline(__always)
    func completeTile(_ batch: T5Batch, _ columns: T5ColumnView, first: Int, lanes: Int,
                      _ tile: UnsafeMutablePointer<FloatLanes>, standardized: Bool) {
        let base = featureSet.inputCount
        let tileFloats = UnsafeMutableRawPointer(tile).assumingMemoryBound(to: Float.self)
        for (j, input) in extraInputs.enumerated() {
            tile[base + j] = FloatLanes()
            columns.fill(input, batch: batch, first: first, lanes: lanes, into: tileFloats + (base + j) * floatLaneWidth)
        }
        if standardized, let standardization { standardization.apply(tile) }
    }
}
