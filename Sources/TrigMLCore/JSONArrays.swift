
// Fast typed readers for long arrays, such as the per-node arrays of forest
// files: a 400-tree model has hundreds of thousands of numbers; these loops
// read the parsed values directly and build a path string only when one is
// wrong.

extension JSONNode {
    private func items(_ what: String) throws -> [JSON] {
        guard case .array(let items) = value else { throw fail("is \(value.kindName), expected an array of \(what)") }
        return items
    }

    private func elementError(_ index: Int, _ item: JSON, _ what: String) -> TMLError {
        TMLError.format("\(path)[\(index)] is \(describe(item)), expected \(what)")
    }

    private func describe(_ item: JSON) -> String {
        if case .number(let t) = item { return "'\(t)'" }
        return item.kindName
    }

    /// Integers in [-2^53, 2^53]; a non-integer or huge value is an error.
    package func intArray() throws -> [Int] {
        let list = try items("integers")
        var out: [Int] = []
        out.reserveCapacity(list.count)
        for (i, item) in list.enumerated() {
            guard case .number(let t) = item, let v = Int(t), v >= -(1 << 53), v <= 1 << 53 else {
                throw elementError(i, item, "an integer")
            }
            out.append(v)
        }
        return out
    }

    /// Numbers rounded once, from their decimal text, to float32. Non-finite
    /// results (e.g. 1e999) are kept; the tree checks decide whether they
    /// matter (a NaN or infinite threshold or leaf that is used is refused).
    package func floatArray() throws -> [Float] { try numberArray() }

    /// Numbers rounded once, from their decimal text, to double.
    package func doubleArray() throws -> [Double] { try numberArray() }

    private func numberArray<T: LosslessStringConvertible>() throws -> [T] {
        let list = try items("numbers")
        var out: [T] = []
        out.reserveCapacity(list.count)
        for (i, item) in list.enumerated() {
            guard case .number(let t) = item, let v = T(t) else { throw elementError(i, item, "a number") }
            out.append(v)
        }
        return out
    }

    /// Booleans written as true/false or as 0/1 (XGBoost writes 0/1).
    package func flagArray() throws -> [Bool] {
        let list = try items("flags")
        var out: [Bool] = []
        out.reserveCapacity(list.count)
        for (i, item) in list.enumerated() {
            switch item {
            case .bool(let b): out.append(b)
            case .number("0"): out.append(false)
            case .number("1"): out.append(true)
            default: throw elementError(i, item, "true/false or 0/1")
            }
        }
        return out
    }
}
