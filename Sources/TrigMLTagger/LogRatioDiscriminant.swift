import TrigMLCore

/// DL1-style discriminant, D = ln((p_sig + eps) / (sum_{k != sig} f_k p_k + eps)),
/// eps = 1e-10 (the ATLAS FTAG convention), in double.
package struct LogRatioDiscriminant {
    package static let epsilon = 1e-10
    package static let fractionTolerance = 1e-6

    package let classCount: Int
    package let signalClass: Int
    /// Indexed by class; the signal class's entry is 0.
    package let fractions: [Double]

    /// Checks the class count, the signal index and the background fractions
    /// (finite, >= 0, summing to 1 within 1e-6 over the non-signal classes).
    package init(classCount: Int, signalClass: Int, fractions given: [Float]) throws {
        guard classCount >= 2 else { throw TMLError.invalid("n_classes = \(classCount); a log-ratio needs at least 2 classes") }
        guard classCount <= 1 << 16 else { throw TMLError.invalid("n_classes = \(classCount) is larger than 65536") }
        guard signalClass >= 0 && signalClass < classCount else {
            throw TMLError.invalid("signal_class = \(signalClass) is outside [0, \(classCount - 1)]")
        }
        guard given.count == classCount else {
            throw TMLError.shape("\(given.count) background fractions for \(classCount) classes")
        }
        var fractions = [Double](repeating: 0, count: classCount)
        var sum = 0.0
        for k in 0..<classCount where k != signalClass {
            let f = Double(given[k])
            guard f.isFinite else { throw TMLError.invalid("background_fractions[\(k)] is not finite") }
            guard f >= 0 else { throw TMLError.invalid("background_fractions[\(k)] = \(f) is negative") }
            fractions[k] = f
            sum += f
        }
        guard abs(sum - 1) <= Self.fractionTolerance else {
            throw TMLError.invalid("background fractions of the non-signal classes sum to \(sum), not 1 (tolerance \(Self.fractionTolerance))")
        }
        self.classCount = classCount
        self.signalClass = signalClass
        self.fractions = fractions
    }

    /// One discriminant per row of `prob` (`rows x classCount`). A row with a
    /// non-finite probability, or whose ratio is not positive, gives NaN.
    package func evaluate(rows: Int, prob: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let row = prob + r * classCount
            var finite = true
            var background = 0.0
            for k in 0..<classCount {
                let p = Double(row[k])
                if !p.isFinite { finite = false }
                if k != signalClass { background += fractions[k] * p }
            }
            let ratio = (Double(row[signalClass]) + Self.epsilon) / (background + Self.epsilon)
            out[r] = finite && ratio > 0 ? Float(log(ratio)) : .nan
        }
    }
}
