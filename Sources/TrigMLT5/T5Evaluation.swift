import TrigMLCPU
import TrigMLKernels

/// The heads on the network's outputs: scores, pass flags, class
/// probabilities, embeddings. One pass over the batch fills every output
/// the caller asked for (a nil pointer is not written).
///
/// Softmax arithmetic (docs/formats/t5_model.md, "Version 2"; the numpy
/// reference mirrors it): z_k = the network's float32 outputs (LST's float
/// order, FloatNetwork.swift); m = max_k z_k; d_k = z_k - m in float32; e_k = exp(d_k) evaluated in
/// double (`expNonPositive`, relative error < 3e-13) and rounded to float32;
/// s = e_0 + e_1 + ... + e_{K-1} in float32, ascending k; p_k = e_k / s in
/// float32. Subtracting the maximum keeps every exponent <= 0, so no logit
/// overflows. A non-finite logit makes every probability NaN.
package struct T5Outputs {
    package var score: UnsafeMutablePointer<Float>?
    package var pass: UnsafeMutablePointer<UInt8>?
    package var probabilities: UnsafeMutablePointer<Float>?
    package var embedding: UnsafeMutablePointer<Float>?

    package init(score: UnsafeMutablePointer<Float>? = nil, pass: UnsafeMutablePointer<UInt8>? = nil,
                 probabilities: UnsafeMutablePointer<Float>? = nil, embedding: UnsafeMutablePointer<Float>? = nil) {
        (self.score, self.pass, self.probabilities, self.embedding) = (score, pass, probabilities, embedding)
    }
}

extension T5Model {
    /// Scores (and probabilities, pass flags for working point
    /// `workingPoint`) or embeddings of every candidate. The caller has
    /// checked the batch, the columns, the working-point index and that the
    /// head fits the outputs asked for. Throws only `.outOfMemory` (the
    /// thread's scratch could not grow), before writing anything.
    package func evaluate(_ batch: T5Batch, _ columns: T5ColumnView = .none, workingPoint: Int = 0,
                          into out: T5Outputs) throws {
        let point = workingPoints.indices.contains(workingPoint) ? workingPoints[workingPoint].point : nil
        try point.withCutSource { try evaluate(batch, columns, cuts: $0, into: out) }
    }

    @inline(__always)
    func evaluate(_ batch: T5Batch, _ columns: T5ColumnView, cuts: T5CutSource, into out: T5Outputs) throws {
        /// Scores and pass flags of candidates first ..< first + lanes,
        /// `score(lane)` giving each one's score; the kind of cut is decided
        /// once per tile, not per candidate.
        @inline(__always) func finish(_ first: Int, _ lanes: Int, _ score: (Int) -> Float) {
            if let scores = out.score {
                for lane in 0..<lanes { scores[first &+ lane] = score(lane) }
            }
            guard let pass = out.pass else { return }
            switch cuts {
            case .none:
                break
            case .single(let cut):
                for lane in 0..<lanes { pass[first &+ lane] = score(lane) > cut ? 1 : 0 }
            case .table(let lookup):
                for lane in 0..<lanes {
                    let t = first &+ lane
                    let cut = lookup.cut(innerRadius: batch.innerRadius(t), eta1: batch.eta[batch.firstAnchor(t)])
                    pass[t] = score(lane) > cut ? 1 : 0
                }
            }
        }
        switch head {
        case .sigmoid:
            try forEachOutputTile(batch, columns) { first, lanes, output, finite in
                let probability = sigmoidProbability(output[0], lanes: lanes, finite: finite)
                if let probabilities = out.probabilities {
                    for lane in 0..<lanes { probabilities[first &+ lane] = probability[lane] }
                }
                finish(first, lanes) { probability[$0] }
            }
        case .softmax(let classes, let definition):
            let classCount = classes.count
            try forEachOutputTile(batch, columns) { first, lanes, output, finite in
                softmax(output, classCount: classCount, lanes: lanes, finite: finite)
                if let probabilities = out.probabilities {
                    for lane in 0..<lanes {
                        let row = probabilities + (first + lane) * classCount
                        for k in 0..<classCount { row[k] = output[k][lane] }
                    }
                }
                let chosen = output[definition.classIndex]
                finish(first, lanes) { definition.oneMinus ? 1 - chosen[$0] : chosen[$0] }
            }
        case .embedding(let dimension):
            guard let embedding = out.embedding else { return }
            try forEachOutputTile(batch, columns) { first, lanes, output, finite in
                for lane in 0..<lanes {
                    let row = embedding + (first + lane) * dimension
                    for k in 0..<dimension { row[k] = finite[lane] ? output[k][lane] : .nan }
                }
            }
        }
    }

    /// Replaces the `classCount` logit vectors by their softmax in the float
    /// order of the type's comment, every lane independently; NaN for every
    /// class of a lane whose inputs were not all finite.
    @inline(__always)
    func softmax(_ output: UnsafeMutablePointer<FloatLanes>, classCount: Int, lanes: Int,
                 finite: SIMDMask<FloatLanes.MaskStorage>) {
        // `z > maximum` as a scalar loop would write it: a NaN logit never
        // becomes the maximum, and its own difference stays NaN.
        var maximum = output[0]
        for k in 1..<classCount { maximum.replace(with: output[k], where: output[k] .> maximum) }
        var sum = FloatLanes()
        for k in 0..<classCount {
            let e = exponentialRoundedToFloat(output[k] - maximum, lanes: lanes)
            output[k] = e
            sum = sum + e
        }
        for k in 0..<classCount { output[k] = (output[k] / sum).replacing(with: .nan, where: .!finite) }
    }
}

/// exp(d) for d <= 0, evaluated in double (`expNonPositive`, no libm call)
/// and rounded to float32 once: the softmax's exponential does not depend on
/// the C library, so a numpy reference reproduces it bit for bit. Lanes past
/// `lanes` (no candidate) are left 0.
@inline(__always)
private func exponentialRoundedToFloat(_ difference: FloatLanes, lanes: Int) -> FloatLanes {
    var result = FloatLanes()
    for chunk in stride(from: 0, to: lanes, by: laneWidth) {
        var wide = Lanes()
        for j in 0..<laneWidth { wide[j] = Double(difference[chunk + j]) }
        let exponential = expNonPositive(wide)
        for j in 0..<laneWidth { result[chunk + j] = Float(exponential[j]) }
    }
    return result
}
