import TrigMLCore

/// An address scheme: how an integer address in [first, first + 2^bits)
/// decodes into the BDT inputs, in the forest's input order.
///
/// The model is the same for the built-in EMTF presets (EMTFPresets.swift)
/// and for user scheme files (SchemeFile.swift, docs/formats/lut_scheme.md:
///
/// - **fields**: bit ranges of (address - first); each has one or more
///   named *outputs*, each a decode table indexed by the field's raw value
///   (a linear map in a file becomes a table when loaded);
/// - **values**: derived quantities, each one operation (`LUTOperation`)
///   over earlier slots or constants, evaluated in double precision;
/// - **inputs**: the slots fed to the forest, each rounded to float32
///   (with -0.0 read as +0.0).
///
/// Every slot knows which fields it depends on (`support`), which is what
/// lets the generator tabulate trees over parts of the address space.
/// Immutable once built; shared freely between threads.
package final class LUTScheme: @unchecked Sendable {
    package let name: String
    package let firstAddress: UInt64
    /// The scheme covers 2^addressBits addresses.
    package let addressBits: Int
    package let fields: [LUTField]
    /// Slot table: the field outputs first (in field order, output order),
    /// then the derived values.
    let slots: [LUTSlot]
    /// Slot index of each input, in the forest's order.
    package let inputSlots: [Int]
    /// Names of the inputs, for tools and messages.
    package let inputNames: [String]
    /// The same names as NUL-terminated C strings owned by the scheme, so
    /// `tml_lut_scheme_feature_name` can hand out pointers that live as
    /// long as the handle (ABI 1 additions).
    package let inputNameCStrings: [UnsafeMutablePointer<CChar>]

    /// Limits that keep every table small and every shift defined.
    package static let maxAddressBits = 40
    package static let maxFieldWidth = 16
    package static let maxFields = 64
    package static let maxSlots = 4096

    package var addressCount: UInt64 { UInt64(1) << UInt64(addressBits) }
    package var featureCount: Int { inputSlots.count }

    init(name: String, firstAddress: UInt64, addressBits: Int, fields: [LUTField],
         slots: [LUTSlot], inputSlots: [Int], inputNames: [String]) throws {
        guard addressBits >= 0, addressBits <= Self.maxAddressBits else {
            throw TMLError.format("scheme '\(name)': address_bits = \(addressBits) is outside [0, \(Self.maxAddressBits)]")
        }
        let count = UInt64(1) << UInt64(addressBits)
        guard firstAddress % count == 0 else {
            throw TMLError.format("scheme '\(name)': first_address = \(firstAddress) is not a multiple of 2^address_bits = \(count)")
        }
        guard firstAddress <= UInt64.max - (count - 1) else {
            throw TMLError.format("scheme '\(name)': first_address + 2^address_bits overflows 64 bits")
        }
        guard fields.count <= Self.maxFields else {
            throw TMLError.unsupported("scheme '\(name)': \(fields.count) fields; at most \(Self.maxFields)")
        }
        var used: UInt64 = 0
        for f in fields {
            guard f.width >= 1, f.width <= Self.maxFieldWidth, f.offset >= 0, f.offset + f.width <= addressBits else {
                throw TMLError.format("scheme '\(name)': field '\(f.name)' (offset \(f.offset), width \(f.width)) must have width 1...\(Self.maxFieldWidth) and lie inside bits [0, \(addressBits))")
            }
            let mask = ((UInt64(1) << UInt64(f.width)) - 1) << UInt64(f.offset)
            guard used & mask == 0 else {
                throw TMLError.format("scheme '\(name)': field '\(f.name)' overlaps another field")
            }
            used |= mask
        }
        guard !inputSlots.isEmpty, inputSlots.count <= Int(Int32.max) else {
            throw TMLError.format("scheme '\(name)': no inputs")
        }
        for s in inputSlots where s < 0 || s >= slots.count {
            throw TMLError.internalError("scheme '\(name)': input slot \(s) out of range")
        }
        self.name = name
        self.firstAddress = firstAddress
        self.addressBits = addressBits
        self.fields = fields
        self.slots = slots
        self.inputSlots = inputSlots
        self.inputNames = inputNames
        self.inputNameCStrings = inputNames.map { name in
            let bytes = Array(name.utf8CString)
            let copy = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
            copy.initialize(from: bytes, count: bytes.count)
            return copy
        }
    }

    deinit {
        for name in inputNameCStrings { name.deallocate() }
    }

    /// Raw field values of an address (the caller checked the range).
    @inline(__always)
    func rawFields(_ address: UInt64, into raw: UnsafeMutablePointer<Int>) {
        let local = address &- firstAddress
        for (i, f) in fields.enumerated() {
            raw[i] = Int(truncatingIfNeeded: (local >> UInt64(f.offset)) & ((UInt64(1) << UInt64(f.width)) - 1))
        }
    }

    /// Evaluates every slot from raw field values.
    @inline(__always)
    func evaluate(raw: UnsafePointer<Int>, slots out: UnsafeMutablePointer<Double>) {
        for (i, slot) in slots.enumerated() {
            out[i] = slot.evaluate(raw: raw, slots: out)
        }
    }

    /// Whether `address` belongs to this scheme.
    package func contains(_ address: UInt64) -> Bool {
        address >= firstAddress && address - firstAddress < addressCount
    }

    /// Decodes addresses into `featureCount` floats each (row-major).
    /// Every address must belong to the scheme (checked, naming the index).
    package func decode(_ addresses: UnsafeBufferPointer<UInt64>, into out: UnsafeMutablePointer<Float>) throws {
        for (i, a) in addresses.enumerated() where !contains(a) {
            throw TMLError.invalid("address[\(i)] = \(a) is outside scheme '\(name)' range [\(firstAddress), \(firstAddress + (addressCount - 1))]")
        }
        var decoder = Decoder(self)
        let n = featureCount
        for (i, a) in addresses.enumerated() {
            decoder.decode(a, into: out + i * n)
        }
    }

    /// Per-call scratch for decoding one address at a time.
    struct Decoder {
        let scheme: LUTScheme
        var raw: [Int]
        var values: [Double]

        init(_ scheme: LUTScheme) {
            self.scheme = scheme
            raw = [Int](repeating: 0, count: scheme.fields.count)
            values = [Double](repeating: 0, count: scheme.slots.count)
        }

        mutating func decode(_ address: UInt64, into out: UnsafeMutablePointer<Float>) {
            raw.withUnsafeMutableBufferPointer { r in
                values.withUnsafeMutableBufferPointer { v in
                    guard let rp = r.baseAddress, let vp = v.baseAddress else { return }
                    scheme.rawFields(address, into: rp)
                    scheme.evaluate(raw: UnsafePointer(rp), slots: vp)
                    for (j, s) in scheme.inputSlots.enumerated() {
                        out[j] = Float(vp[s]) + 0
                    }
                }
            }
        }

        /// Decodes from raw field values given directly (used by the
        /// generator, which sets only one side's fields).
        mutating func decode(raw given: [Int], into out: UnsafeMutablePointer<Float>) {
            values.withUnsafeMutableBufferPointer { v in
                given.withUnsafeBufferPointer { r in
                    guard let rp = r.baseAddress, let vp = v.baseAddress else { return }
                    scheme.evaluate(raw: rp, slots: vp)
                    for (j, s) in scheme.inputSlots.enumerated() {
                        out[j] = Float(vp[s]) + 0
                    }
                }
            }
        }
    }

    /// Fields (as a bit set over field indices) each input depends on.
    var inputSupport: [UInt64] { inputSlots.map { slots[$0].support } }
}

package struct LUTField {
    package let name: String
    package let offset: Int
    package let width: Int
    /// Output names, in slot order.
    package let outputs: [String]
}

/// The small set of operations a derived value may use (docs/formats/lut_scheme.md). Operands are slots or constants.
package enum LUTOperation: String, CaseIterable {
    /// sum of all operands
    case add
    /// first operand minus the second
    case sub
    /// product of all operands
    case mul
    /// minus the operand
    case neg
    /// absolute value of the operand
    case abs
    /// smallest / largest operand
    case min, max
    /// 1 + index of the strictly largest operand, 0 when the largest value
    /// is shared (EMTF's outStPhi rule, PtAssignmentEngineAux2017.cc
    /// calcDeltaPhiSums)
    case argmax
    /// operand[1 + k] where k = the first operand (an integer); k outside
    /// the list gives the last operand
    case pick
    /// 1 when the first operand equals the second, else 0
    case eq
    /// 1 when the first operand is below the second, else 0
    case lt
}

enum LUTOperand {
    case slot(Int)
    case constant(Double)
}

/// One slot: a field output (table lookup) or a derived value.
struct LUTSlot {
    enum Kind {
        case table(field: Int, values: [Double])
        case derived(LUTOperation, [LUTOperand])
    }
    let name: String
    let kind: Kind
    /// Bit set of the fields this slot depends on.
    let support: UInt64

    @inline(__always)
    func evaluate(raw: UnsafePointer<Int>, slots: UnsafePointer<Double>) -> Double {
        switch kind {
        case .table(let field, let values):
            // raw < 2^width == values.count by construction.
            return values[raw[field]]
        case .derived(let op, let args):
            @inline(__always) func v(_ i: Int) -> Double {
                switch args[i] {
                case .slot(let s): return slots[s]
                case .constant(let c): return c
                }
            }
            switch op {
            case .add:
                var s = 0.0
                for i in 0..<args.count { s += v(i) }
                return s
            case .sub: return v(0) - v(1)
            case .mul:
                var p = 1.0
                for i in 0..<args.count { p *= v(i) }
                return p
            case .neg: return -v(0)
            case .abs: return Swift.abs(v(0))
            case .min:
                var m = v(0)
                for i in 1..<args.count { m = Swift.min(m, v(i)) }
                return m
            case .max:
                var m = v(0)
                for i in 1..<args.count { m = Swift.max(m, v(i)) }
                return m
            case .argmax:
                var best = v(0), at = 0, shared = false
                for i in 1..<args.count {
                    let x = v(i)
                    if x > best { best = x; at = i; shared = false } else if x == best { shared = true }
                }
                return shared ? 0 : Double(at + 1)
            case .pick:
                let k = v(0)
                let last = args.count - 2
                // k is compared, never converted, so a NaN or huge k cannot trap.
                var index = last
                if k >= 0 && k < Double(last) { index = Int(k) }
                return v(1 + index)
            case .eq: return v(0) == v(1) ? 1 : 0
            case .lt: return v(0) < v(1) ? 1 : 0
            }
        }
    }
}

/// Builds a scheme slot by slot, resolving names and supports; used by the
/// presets and by the file loader so both go through the same checks.
struct LUTSchemeBuilder {
    let name: String
    var fields: [LUTField] = []
    var slots: [LUTSlot] = []
    var slotIndex: [String: Int] = [:]
    /// Per slot, the interval of every value it can take (`SlotBounds`).
    var bounds: [SlotBounds] = []

    init(name: String) { self.name = name }

    mutating func addField(_ fieldName: String, offset: Int, width: Int,
                           outputs: [(String, [Double])]) throws {
        guard width >= 1, width <= LUTScheme.maxFieldWidth else {
            throw TMLError.format("scheme '\(name)': field '\(fieldName)' width \(width) is outside [1, \(LUTScheme.maxFieldWidth)]")
        }
        let fieldIndex = fields.count
        guard fieldIndex < LUTScheme.maxFields else {
            throw TMLError.unsupported("scheme '\(name)': more than \(LUTScheme.maxFields) fields")
        }
        guard !outputs.isEmpty else { throw TMLError.format("scheme '\(name)': field '\(fieldName)' has no decode table") }
        for (outName, table) in outputs {
            guard table.count == 1 << width else {
                throw TMLError.shape("scheme '\(name)': field '\(fieldName)' output '\(outName)' has \(table.count) entries; a \(width)-bit field needs \(1 << width)")
            }
            for (i, x) in table.enumerated() where !x.isFinite {
                throw TMLError.format("scheme '\(name)': field '\(fieldName)' output '\(outName)' entry \(i) is not finite")
            }
            try addSlot(LUTSlot(name: outName, kind: .table(field: fieldIndex, values: table),
                                support: UInt64(1) << UInt64(fieldIndex)), bounds: .table(table))
        }
        fields.append(LUTField(name: fieldName, offset: offset, width: width, outputs: outputs.map { $0.0 }))
    }

    mutating func addSlot(_ slot: LUTSlot, bounds slotBounds: SlotBounds) throws {
        guard slotIndex[slot.name] == nil else {
            throw TMLError.format("scheme '\(name)': the name '\(slot.name)' is defined twice")
        }
        guard slots.count < LUTScheme.maxSlots else {
            throw TMLError.unsupported("scheme '\(name)': more than \(LUTScheme.maxSlots) values")
        }
        guard slotBounds.isFinite else {
            throw TMLError.format("scheme '\(name)': value '\(slot.name)' can overflow: its operands allow [\(slotBounds.lo), \(slotBounds.hi)]; decoded inputs must stay finite")
        }
        slotIndex[slot.name] = slots.count
        slots.append(slot)
        bounds.append(slotBounds)
    }

    func operand(_ ref: String) throws -> LUTOperand {
        guard let s = slotIndex[ref] else {
            throw TMLError.format("scheme '\(name)': '\(ref)' is not a field output or an earlier value")
        }
        return .slot(s)
    }

    mutating func derive(_ valueName: String, _ op: LUTOperation, _ args: [LUTOperand]) throws {
        let (lo, hi): (Int, Int)
        switch op {
        case .add, .mul, .min, .max: (lo, hi) = (1, 64)
        case .argmax: (lo, hi) = (2, 64)
        case .sub, .eq, .lt: (lo, hi) = (2, 2)
        case .neg, .abs: (lo, hi) = (1, 1)
        case .pick: (lo, hi) = (2, 65)
        }
        guard args.count >= lo, args.count <= hi else {
            throw TMLError.format("scheme '\(name)': value '\(valueName)': '\(op.rawValue)' takes \(lo == hi ? "\(lo)" : "\(lo) to \(hi)") operands, got \(args.count)")
        }
        var support: UInt64 = 0
        var operandBounds: [SlotBounds] = []
        for a in args {
            switch a {
            case .slot(let s):
                guard s >= 0, s < slots.count else { throw TMLError.format("scheme '\(name)': value '\(valueName)' refers to a later value") }
                support |= slots[s].support
                operandBounds.append(bounds[s])
            case .constant(let c):
                guard c.isFinite else { throw TMLError.format("scheme '\(name)': value '\(valueName)' has a non-finite constant") }
                operandBounds.append(.constant(c))
            }
        }
        try addSlot(LUTSlot(name: valueName, kind: .derived(op, args), support: support),
                    bounds: .of(op, operandBounds))
    }

    mutating func derive(_ valueName: String, _ op: LUTOperation, _ refs: [String]) throws {
        try derive(valueName, op, refs.map { try operand($0) })
    }

    func build(firstAddress: UInt64, addressBits: Int, inputs: [String]) throws -> LUTScheme {
        var inputSlots: [Int] = []
        for i in inputs {
            guard let s = slotIndex[i] else {
                throw TMLError.format("scheme '\(name)': input '\(i)' is not a field output or value")
            }
            // Inputs are handed to the forest as float32.
            let b = bounds[s], floatMax = Double(Float.greatestFiniteMagnitude)
            guard b.lo >= -floatMax, b.hi <= floatMax else {
                throw TMLError.format("scheme '\(name)': input '\(i)' can reach [\(b.lo), \(b.hi)], outside the float32 range")
            }
            inputSlots.append(s)
        }
        return try LUTScheme(name: name, firstAddress: firstAddress, addressBits: addressBits,
                             fields: fields, slots: slots, inputSlots: inputSlots, inputNames: inputs)
    }
}
