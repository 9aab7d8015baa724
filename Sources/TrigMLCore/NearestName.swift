/// The closest spelling among known names, for messages that refuse an
/// unknown key or option ("fields[2].linaer is not a known key; did you
/// mean 'linear'?"). Edit distance (`editDistance`) over Unicode scalars; nil when
/// nothing is within half the unknown name's length (then a suggestion
/// would only mislead).
package func nearestName(to unknown: String, among known: [String]) -> String? {
    let target = Array(unknown.unicodeScalars)
    var best: (name: String, distance: Int)?
    for name in known {
        let distance = editDistance(target, Array(name.unicodeScalars))
        if best == nil || distance < best!.distance { best = (name, distance) }
    }
    guard let best, best.distance <= Swift.max(1, target.count / 2) else { return nil }
    return best.name
}

/// Insertions, deletions, substitutions and swaps of two adjacent
/// characters turning `a` into `b` (optimal string alignment distance):
/// a swap is the commonest typing slip ("frist", "linaer") and counts as
/// one edit, so "--frist" is nearer "--first" than "--forest".
func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
    if a.isEmpty { return b.count }
    var beforePrevious = [Int](repeating: 0, count: b.count + 1)
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in stride(from: 1, through: b.count, by: 1) {
            let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
            current[j] = Swift.min(substitution, previous[j] + 1, current[j - 1] + 1)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                current[j] = Swift.min(current[j], beforePrevious[j - 2] + 1)
            }
        }
        (beforePrevious, previous, current) = (previous, current, beforePrevious)
    }
    return previous[b.count]
}
