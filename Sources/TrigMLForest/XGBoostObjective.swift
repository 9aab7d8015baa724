import TrigMLCore

/// The XGBoost objectives this library reads, and how each turns the saved
/// `base_score` into the margin that prediction starts from.
package enum XGBoostObjective: String, CaseIterable, Sendable {
    case squaredError = "reg:squarederror"
    case absoluteError = "reg:absoluteerror"
    case binaryLogistic = "binary:logistic"
    case logistic = "reg:logistic"

    package static var supportedNames: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// XGBoost's `ProbToMargin` (`LogisticRegression` in XGBoost's
    /// src/objective/regression_loss.h), bit for bit against XGBoost 3.2's
    /// predictions (Tests/golden/forests): for the logistic objectives
    /// -log(1/p - 1) with every operation in float32 (1/p, -1 and logf);
    /// the same formula in double, or log(p/(1-p)), differs in the last bit.
    /// For the regression objectives the margin is `base_score` itself.
    package func baseMargin(baseScore p: Float) throws -> Float {
        switch self {
        case .squaredError, .absoluteError:
            guard p.isFinite else { throw TMLError.format("base_score \(p) is not finite") }
            return p
        case .binaryLogistic, .logistic:
            guard p > 0, p < 1 else {
                throw TMLError.format("base_score \(p) is outside (0, 1), which \(rawValue) needs (it is a probability)")
            }
            let odds: Float = Float(1) / p - Float(1)
            return -logf(odds)
        }
    }
}
