import TrigMLCore

/// The tuning knobs of the tabulated LUT generation (`Tabulation`), read
/// from the environment once per process, the first time a tabulation
/// needs them. They are for benchmarks and memory-tight machines, not part
/// of the C ABI contract.
///
/// None of them changes a LUT word: each address's output is the exact
/// fixed-point sum of the base and one leaf per tree (`LUTForest`), and
/// integer addition is associative and commutative, so how trees are
/// grouped, in what order, and how the address range is cut into work
/// blocks changes only speed and memory. `tools/tests/test_lut_shards.py`
/// generates the same range under different settings and compares the
/// bytes.
///
/// | Variable                 | Default   | Valid range   | What it changes |
/// |--------------------------|-----------|---------------|-----------------|
/// | `TRIGML_LUT_MAX_CLASSES` | 8192      | 1 ... 65536   | Largest number of low (and of high) value classes a group of trees may have; more classes mean fewer, larger groups (fewer table reads per address, more memory). At most 65536 because class ids are stored as 16-bit numbers. |
/// | `TRIGML_LUT_MAX_CELLS`   | 1048576   | 1 ... 2^26    | Largest table (low classes x high classes) a group of two or more trees may have; one cell is 8 bytes (16 for forests whose sums need 128 bits). A tree alone always forms a group, up to 2^24 cells (beyond that the range is evaluated one address at a time). |
/// | `TRIGML_LUT_BLOCK`       | 65536     | 1 ... 2^22    | Low values per fill work item; a block's class ids should stay in cache while every high value is visited. Values above the low side's size act as the whole side. |
/// | `TRIGML_LUT_NO_SORT`     | 0         | 0 or 1        | 1: offer trees to the grouping in file order instead of sorted by the low-side inputs they read. |
/// | `TRIGML_LUT_DEBUG`       | 0         | 0 or 1        | 1: print the split bit, group count, table cells, phase times and memory estimates of each tabulation on stderr, and every fallback to smaller tables or to one address at a time taken because memory was short (`LUTMemory`). |
///
/// Unset or empty means the default. A value that is not a decimal integer
/// or lies outside its range is ignored: the default is used and one line
/// on stderr names the variable, the value and the valid range (once per
/// process). It is not clamped, because a mistyped value is more likely a
/// mistake than a wish for the nearest limit.
enum LUTTuning {
    static let maxClassesPerGroup = knob("TRIGML_LUT_MAX_CLASSES", default: 8192, valid: 1...65536)
    static let maxCellsPerGroup = knob("TRIGML_LUT_MAX_CELLS", default: 1 << 20, valid: 1...(1 << 26))
    static let fillBlockSize = knob("TRIGML_LUT_BLOCK", default: 65536, valid: 1...(1 << 22))
    static let sortTreesByLowInputs = knob("TRIGML_LUT_NO_SORT", default: 0, valid: 0...1) == 0
    static let debug = knob("TRIGML_LUT_DEBUG", default: 0, valid: 0...1) == 1

    /// The integer value of environment variable `name`, or `fallback`
    /// (with a warning for a malformed value; see above).
    static func knob(_ name: String, default fallback: Int, valid: ClosedRange<Int>) -> Int {
        guard let raw = getenv(name) else { return fallback }
        let text = String(cString: raw)
        if text.isEmpty { return fallback }
        if let value = Int(text), valid.contains(value) { return value }
        fputs("trigml: ignoring \(name)='\(text)': not an integer in \(valid.lowerBound)...\(valid.upperBound); using \(fallback)\n", stderr)
        return fallback
    }

    /// Monotonic clock for the phase times under TRIGML_LUT_DEBUG.
    static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
    }

    /// Under TRIGML_LUT_DEBUG: the end of one set-up phase, on stderr.
    static func debugPhase(_ name: String) {
        guard debug else { return }
        fputs("trigml lut:   \(name) done at \(monotonicSeconds())\n", stderr)
    }

    /// Under TRIGML_LUT_DEBUG: a memory estimate or a fallback taken because
    /// memory is short (`LUTMemory`).
    static func debugNote(_ note: @autoclosure () -> String) {
        guard debug else { return }
        fputs("trigml lut: \(note())\n", stderr)
    }

    /// Under TRIGML_LUT_DEBUG: one line per tabulated generation.
    static func debugSummary(_ tabulation: Tabulation, setupSeconds: Double, fillSeconds: Double) {
        guard debug else { return }
        fputs("trigml lut: split bit \(tabulation.splitBit), \(tabulation.groupCount) groups, "
              + "\(tabulation.scannedCellCount) table cells scanned, setup \(setupSeconds) s, fill \(fillSeconds) s\n", stderr)
    }
}
