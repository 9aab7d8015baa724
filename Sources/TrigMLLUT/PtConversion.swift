import TrigMLCore

/// BDT output -> stored LUT word, as cmssw L1Trigger/L1TMuonEndCap does it:
/// src/PtAssignmentEngine2017.cc (calculate_pt_xml, scale_pt),
/// src/PtAssignmentEngineAux.cc (getGMTPt) and test/tools/MakePtLUT.cc
/// (the LUT fill: scaling, int(2 pt + 1), clamp to 511). The C struct `tml_pt_conversion` has the same
/// members. All arithmetic is double precision, in this order:
///
///     out    = the forest output (float32, see LUTForest for the sum)
///     pt_xml = 1 / max(outputFloor, out)          target .inversePt
///            = 2 ^ max(outputFloor, out)          target .log2Pt
///     pt_xml = 1 if pt_xml < 0                    (emulator safeguard)
///     pt     = pt_xml * scaleNumerator / (1 - scaleSlope * min(pt_xml, scalePtCap))
///     x      = wordPerGeV * pt + wordOffset
///     word   = 0 if x is NaN or x < 0; wordMax if x >= wordMax; else floor(x)
package struct PtConversion: Equatable {
    package enum Target: Int32 { case inversePt = 0, log2Pt = 1 }
    package var target: Target
    package var outputFloor: Double
    package var scaleNumerator: Double
    package var scaleSlope: Double
    package var scalePtCap: Double
    package var wordPerGeV: Double
    package var wordOffset: Double
    package var wordMax: UInt32

    package init(target: Target, outputFloor: Double, scaleNumerator: Double, scaleSlope: Double,
                scalePtCap: Double, wordPerGeV: Double, wordOffset: Double, wordMax: UInt32) {
        self.target = target
        self.outputFloor = outputFloor
        self.scaleNumerator = scaleNumerator
        self.scaleSlope = scaleSlope
        self.scalePtCap = scalePtCap
        self.wordPerGeV = wordPerGeV
        self.wordOffset = wordOffset
        self.wordMax = wordMax
    }

    /// "emtf2017": 1/pT target, pt_xml = 1/max(0.001, out), factor
    /// 1.2/(1 - 0.015 min(pt_xml, 20)), GMT word int(2 pt + 1) clamped to 511
    /// (LUT versions 6 and 7: PtAssignmentEngine2017.cc calculate_pt_xml and
    /// scale_pt, MakePtLUT.cc). "emtf2022": log2 pT target,
    /// pt_xml = 2^max(0, out), factor 1.13 (LUT version 8, cms-sw/cmssw
    /// pull request 37910; same functions, ptLUTVersion_ >= 8).
    package static func preset(_ name: String) throws -> PtConversion {
        switch name {
        case "emtf2017":
            return PtConversion(target: .inversePt, outputFloor: 0.001, scaleNumerator: 1.2, scaleSlope: 0.015,
                                scalePtCap: 20, wordPerGeV: 2, wordOffset: 1, wordMax: 511)
        case "emtf2022":
            return PtConversion(target: .log2Pt, outputFloor: 0, scaleNumerator: 1.13, scaleSlope: 0.015,
                                scalePtCap: 20, wordPerGeV: 2, wordOffset: 1, wordMax: 511)
        default:
            throw TMLError.invalid("unknown pT conversion preset '\(name)'; known: emtf2017, emtf2022")
        }
    }

    /// Checks a hand-filled conversion: every number finite, wordMax a
    /// 16-bit word.
    package func validate() throws {
        let named: [(String, Double)] = [("output_floor", outputFloor), ("scale_numerator", scaleNumerator),
                                         ("scale_slope", scaleSlope), ("scale_pt_cap", scalePtCap),
                                         ("word_per_gev", wordPerGeV), ("word_offset", wordOffset)]
        for (name, value) in named where !value.isFinite {
            throw TMLError.invalid("pT conversion: \(name) = \(value) is not finite")
        }
        guard wordMax <= 65535 else {
            throw TMLError.invalid("pT conversion: word_max = \(wordMax) does not fit a 16-bit word")
        }
    }

    /// pT in GeV after scaling (before the word encoding).
    @inline(__always)
    package func pt(_ out: Float) -> Double {
        let output = Double(out)
        var ptXML: Double
        switch target {
        case .inversePt: ptXML = 1.0 / Swift.max(outputFloor, output)
        case .log2Pt: ptXML = exp2(Swift.max(outputFloor, output))
        }
        if ptXML < 0 { ptXML = 1 }
        return ptXML * scaleNumerator / (1 - scaleSlope * Swift.min(ptXML, scalePtCap))
    }

    @inline(__always)
    package func word(_ out: Float) -> UInt16 { word(x: wordPerGeV * pt(out) + wordOffset) }

    /// The word stored where no track can be (addresses below 2^24 and of
    /// modes without a forest): pt = 0, i.e. floor(word_offset): such
    /// addresses decode to pt_xml = 0 and store gmt_pt 1
    /// (test/tools/MakePtLUT.cc, src/PtLUTWriter.cc).
    package var wordOfZeroPt: UInt16 { word(x: wordOffset) }

    @inline(__always)
    func word(x: Double) -> UInt16 {
        if x.isNaN || x < 0 { return 0 }
        let top = Double(wordMax)
        if x >= top { return UInt16(truncatingIfNeeded: wordMax) }
        return UInt16(x)  // 0 <= x < wordMax <= 65535: in range; truncation = floor
    }
}
