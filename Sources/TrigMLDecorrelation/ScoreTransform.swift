import TrigMLCore

/// What a DDT map does to the score it is given, before binning (build) and
/// before subtracting X_q (apply), recorded in the map so that callers
/// always pass the tagger's own output.
///
/// The logit exists because a map built on a sigmoid probability keeps the
/// background efficiency flat only at its design quantile: one cut
/// X_q + c away from it (the R50 working point) takes different fractions
/// of each bin's tail, since the sigmoid squeezes each bin's tail by how
/// confident the network is there. The logit, the network's last linear
/// layer, has tails of similar shape across bins (docs/taggers.md, "The DDT
/// score"). The map idea is CMS's generalised DDT, X_q per (rho, pT) cell
/// (arXiv:1709.05543; DDTMaker.py of github.com/DryRun/PhiBBPlusJet).
package enum ScoreTransform: String, CaseIterable {
    case identity
    case logit

    /// The probability clamp of the logit: the smallest positive float and
    /// the largest float below 1, so that p = 0 or p = 1.0f (a saturated
    /// sigmoid) give finite logits (-103.28 and 16.64), not infinities.
    static let lowestProbability = 0x1p-149
    static let highestProbability = 1 - 0x1p-24

    /// Whether `score` may be given to a map with this transform (NaN is
    /// always allowed: it gives NaN, like any non-finite input).
    @inline(__always)
    func accepts(_ score: Float) -> Bool {
        self == .identity || score.isNaN || (score >= 0 && score <= 1)
    }

    /// The transformed score, rounded to float: for the logit, ln p - ln(1 - p)
    /// in double of the clamped p, which is exactly the float a host
    /// computing the logit itself this way would have passed.
    @inline(__always)
    func callAsFunction(_ score: Float) -> Float {
        switch self {
        case .identity: return score
        case .logit:
            let p = Swift.min(Swift.max(Double(score), Self.lowestProbability), Self.highestProbability)
            return score.isNaN ? .nan : Float(log(p) - log1p(-p))
        }
    }

    /// The message for a score this transform refuses.
    func refusal(_ what: String, _ index: Int, _ score: Float) -> TMLError {
        TMLError.invalid("\(what)[\(index)] = \(score) is not a probability in [0, 1], but the map's score_transform is 'logit': pass the tagger's output, not its logit")
    }
}
