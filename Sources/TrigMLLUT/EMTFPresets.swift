import TrigMLCore

// The CMS EMTF 2017 pT-LUT address schemes ("emtf2017-modeN").
//
// Upstream sources (cmssw paths are below L1Trigger/L1TMuonEndCap/):
//  - address layouts: src/PtAssignmentEngine2017.cc (calculate_address, and
//    calculate_pt_xml(address), which also asserts each mode's address
//    range); the firmware address spec (Brinkerhoff, Madorsky, DRAFT 4,
//    5 Jun 2017: jiafulow/L1TMuonDocsNov2018,
//    docs/EMU_TF_PT_LUT_address_formation_2017_06_05.docx);
//  - compression tables and unpacking: src/PtAssignmentEngineAux2017.cc
//    (dPhiNLBMap_*, getNLBdPhiBin, getdPhiFromBin, getdTheta, getCLCT,
//    getTheta, unpackSt1Ring2, unpack2bRPC, unpack8bMode15,
//    calcDeltaPhiSums);
//  - input order: the `predictors` vector of calculate_pt_xml(address) in
//    src/PtAssignmentEngine2017.cc, which follows the TMVA <Variables>
//    block of the training (abrinke1/EMTFPtAssign2017 at 0e90f678,
//    PtRegression_Apr_2017.C).
//
// Choices the sources leave open (documented with the presets in the
// docs/lut.md:
//  - dTheta (every mode, including the mode-15 2-bit dTheta14) is fed as
//    its compressed code, not unpacked: calculate_pt_xml(address) unpacks
//    only the dPhis, mode15_8b, St1_ring2 and rpc_2b, "since compressed
//    version was used in training" (its unpackdTheta checks are commented
//    out).
//  - bends are fed as their 2-bit (3/4-station) or 3-bit (2-station) codes
//    (same source); theta as the 5-bit code (3/2-station) or the 4-bit
//    mode-15 theta (0-7 ring 1, 8-13 ring 2).
//  - the sign of dPhiAB is not stored; dPhiAB >= 0 and sPhiXY = 1 means
//    "same sign as dPhiAB": calculate_pt_xml(address) multiplies the
//    decompressed dPhiBC by (sPhiBC == 1 ? 1 : -1), and the training
//    multiplies every dPhi by dPhiSign (EMTFPtAssign2017
//    src/PtLutVarCalc.cc).

enum EMTFPresets {
    /// 4-bit NLB edges, max 256 (dPhi34 in mode 15): dPhiNLBMap_4bit_256Max in
    /// PtAssignmentEngineAux2017.cc.
    static let nlb4: [Double] = [0, 1, 2, 3, 4, 6, 8, 10, 12, 16, 20, 25, 31, 46, 68, 136]

    /// 5-bit NLB edges, max 256 (dPhiBC in modes 15/14/13/11/7):
    /// dPhiNLBMap_5bit_256Max in PtAssignmentEngineAux2017.cc: 0-17 in steps
    /// of 1, then the listed edges.
    static let nlb5: [Double] = (0...17).map(Double.init) + [19, 20, 21, 23, 25, 28, 31, 34, 39, 46, 55, 68, 91, 136]

    /// 7-bit NLB edges, max 512 (every dPhiAB): dPhiNLBMap_7bit_512Max in
    /// PtAssignmentEngineAux2017.cc: bins 0-69 map to 0-69, bins 70-127 to
    /// the listed edges.
    static let nlb7: [Double] = (0...69).map(Double.init) + [
        71, 72, 73, 74, 75, 76, 77, 79, 80, 81, 83, 84, 86, 87, 89, 91, 92, 94, 96, 98, 100, 102, 105, 107,
        110, 112, 115, 118, 121, 124, 127, 131, 135, 138, 143, 147, 152, 157, 162, 168, 174, 181, 188, 196,
        204, 214, 224, 235, 247, 261, 276, 294, 313, 336, 361, 391, 427, 470]

    /// Sign bit: 1 = same sign as dPhiAB (+1), 0 = opposite (-1)
    /// (calculate_pt_xml(address) in PtAssignmentEngine2017.cc).
    static let sign: [Double] = [-1, 1]
    static func identity(_ bits: Int) -> [Double] { (0..<(1 << bits)).map(Double.init) }

    /// The preset names, as accepted by `tml_lut_scheme_preset`.
    static let names: [String] = [15, 14, 13, 11, 7, 12, 10, 9, 6, 5, 3].map { "emtf2017-mode\($0)" }

    static func preset(_ name: String) throws -> LUTScheme {
        let prefix = "emtf2017-mode"
        guard name.hasPrefix(prefix), let mode = Int(name.dropFirst(prefix.count)) else {
            throw TMLError.invalid("unknown LUT scheme preset '\(name)'; known: \(names.joined(separator: ", "))")
        }
        switch mode {
        case 15: return try mode15()
        case 14, 13, 11, 7: return try threeStation(mode)
        case 12, 10, 9, 6, 5, 3: return try twoStation(mode)
        default:
            throw TMLError.invalid("unknown LUT scheme preset '\(name)'; known: \(names.joined(separator: ", "))")
        }
    }

    // MARK: mode 15

    /// Decode tables of the mode15_8b word (PtAssignmentEngineAux2017.cc,
    /// unpack8bMode15):
    /// ring 2 (word >= 64): theta = 8 + (word - 64) / 32, rpc_clct = word % 32,
    /// clct = 0 when rpc_clct < 4 (station 1 is an RPC) else rpc_clct % 4,
    /// rpc_word = rpc_clct - clct names the RPC stations;
    /// ring 1 (word < 64): theta = word / 16 (+4 when r < 3), r = (word % 16) / 4,
    /// clct = word % 4; r = 0: RPC in ME4, 1: RPC in ME3, 2: none, 3: none.
    static func mode15Word() -> [(String, [Double])] {
        var theta = [Double](), ring2 = [Double](), bend = [Double]()
        var rpc = [[Double]](repeating: [], count: 4)
        for word in 0..<256 {
            var rpcAt = [0.0, 0.0, 0.0, 0.0]
            if word >= 64 {
                let rpcClct = word % 32
                theta.append(Double((word - 64) / 32 + 8))
                ring2.append(1)
                let clct = rpcClct < 4 ? 0 : rpcClct % 4
                bend.append(Double(clct))
                // rpc_word -> stations (unpack8bMode15: 0: 1&2, 1: 1&3, 2: 1&4, 3: only 1,
                // 4: 4&2, 8: 4&3, 12: 2&3, 16: only 4, 20: only 2, 24: only 3, 28: none)
                switch rpcClct - clct {
                case 0: rpcAt[0] = 1; rpcAt[1] = 1
                case 1: rpcAt[0] = 1; rpcAt[2] = 1
                case 2: rpcAt[0] = 1; rpcAt[3] = 1
                case 3: rpcAt[0] = 1
                case 4: rpcAt[3] = 1; rpcAt[1] = 1
                case 8: rpcAt[3] = 1; rpcAt[2] = 1
                case 12: rpcAt[1] = 1; rpcAt[2] = 1
                case 16: rpcAt[3] = 1
                case 20: rpcAt[1] = 1
                case 24: rpcAt[2] = 1
                default: break
                }
            } else {
                let rpcClct = word % 16
                let clct = rpcClct % 4
                let code = rpcClct / 4
                var thetaCode = word / 16
                if code < 3 { thetaCode += 4 }
                if code == 0 { rpcAt[3] = 1 }
                if code == 1 { rpcAt[2] = 1 }
                theta.append(Double(thetaCode))
                ring2.append(0)
                bend.append(Double(clct))
            }
            for station in 0..<4 { rpc[station].append(rpcAt[station]) }
        }
        return [("theta", theta), ("st1_ring2", ring2), ("bend1", bend),
                ("rpc1", rpc[0]), ("rpc2", rpc[1]), ("rpc3", rpc[2]), ("rpc4", rpc[3])]
    }

    static func mode15() throws -> LUTScheme {
        var builder = LUTSchemeBuilder(name: "emtf2017-mode15")
        // Bit layout: calculate_address in PtAssignmentEngine2017.cc, mode 15.
        try builder.addField("dphi12_bin", offset: 0, width: 7, outputs: [("dphi12", nlb7)])
        try builder.addField("dphi23_bin", offset: 7, width: 5, outputs: [("dphi23_abs", nlb5)])
        try builder.addField("dphi34_bin", offset: 12, width: 4, outputs: [("dphi34_abs", nlb4)])
        try builder.addField("sphi23", offset: 16, width: 1, outputs: [("sphi23_sign", sign)])
        try builder.addField("sphi34", offset: 17, width: 1, outputs: [("sphi34_sign", sign)])
        // 2-bit dTheta14 code, fed as is (see the note at the top).
        try builder.addField("dtheta14", offset: 18, width: 2, outputs: [("dth14", identity(2))])
        try builder.addField("fr1", offset: 20, width: 1, outputs: [("fr1", identity(1))])
        try builder.addField("mode15_8b", offset: 21, width: 8, outputs: mode15Word())
        // Combined dPhis are sums of the quantized adjacent ones, as in
        // calculate_pt_xml(address) (dPhiAB + dPhiBC, ...) and in the training
        // (EMTFPtAssign2017 src/PtLutVarCalc.cc).
        try builder.derive("dphi23", .mul, ["dphi23_abs", "sphi23_sign"])
        try builder.derive("dphi34", .mul, ["dphi34_abs", "sphi34_sign"])
        try builder.derive("dphi13", .add, ["dphi12", "dphi23"])
        try builder.derive("dphi14", .add, ["dphi13", "dphi34"])
        try builder.derive("dphi24", .add, ["dphi23", "dphi34"])
        // dPhiSum4(A), outStPhi, dPhiSum3(A): calcDeltaPhiSums in
        // PtAssignmentEngineAux2017.cc.
        let pairs = ["dphi12", "dphi13", "dphi14", "dphi23", "dphi24", "dphi34"]
        for pair in pairs { try builder.derive("abs_" + pair, .abs, [pair]) }
        try builder.derive("dphi_sum4", .add, pairs)
        try builder.derive("dphi_sum4a", .add, pairs.map { "abs_" + $0 })
        try builder.derive("dev_st1", .add, ["abs_dphi12", "abs_dphi13", "abs_dphi14"])
        try builder.derive("dev_st2", .add, ["abs_dphi12", "abs_dphi23", "abs_dphi24"])
        try builder.derive("dev_st3", .add, ["abs_dphi13", "abs_dphi23", "abs_dphi34"])
        try builder.derive("dev_st4", .add, ["abs_dphi14", "abs_dphi24", "abs_dphi34"])
        try builder.derive("out_st_phi", .argmax, ["dev_st1", "dev_st2", "dev_st3", "dev_st4"])
        // The three pairs without station k; outStPhi 0 or 1 drops station 1.
        let without: [[String]] = [["dphi23", "dphi24", "dphi34"], ["dphi13", "dphi14", "dphi34"],
                                   ["dphi12", "dphi14", "dphi24"], ["dphi12", "dphi13", "dphi23"]]
        for (k, pairsWithout) in without.enumerated() {
            try builder.derive("sum3_wo\(k + 1)", .add, pairsWithout)
            try builder.derive("sum3a_wo\(k + 1)", .add, pairsWithout.map { "abs_" + $0 })
        }
        try builder.derive("dphi_sum3", .pick, ["out_st_phi", "sum3_wo1", "sum3_wo1", "sum3_wo2", "sum3_wo3", "sum3_wo4"])
        try builder.derive("dphi_sum3a", .pick, ["out_st_phi", "sum3a_wo1", "sum3a_wo1", "sum3a_wo2", "sum3a_wo3", "sum3a_wo4"])
        // Trained order: the mode-15 predictors of calculate_pt_xml(address).
        return try builder.build(firstAddress: 1 << 29, addressBits: 29, inputs: [
            "theta", "st1_ring2", "dphi12", "dphi23", "dphi34", "dphi13", "dphi14", "dphi24", "fr1", "bend1",
            "dphi_sum4", "dphi_sum4a", "dphi_sum3", "dphi_sum3a", "out_st_phi", "dth14",
            "rpc1", "rpc2", "rpc3", "rpc4"])
    }

    // MARK: 3-station modes

    /// 5-bit theta code outputs: the code itself and St1_ring2 = (code >= 15)
    /// (PtAssignmentEngineAux2017.cc, getTheta and unpackSt1Ring2).
    static let theta5: [(String, [Double])] = [
        ("theta", identity(5)), ("st1_ring2", (0..<32).map { $0 >= 15 ? 1 : 0 })]

    static func threeStation(_ mode: Int) throws -> LUTScheme {
        var builder = LUTSchemeBuilder(name: "emtf2017-mode\(mode)")
        // Bit layout: calculate_address in PtAssignmentEngine2017.cc, modes
        // 14, 13, 11 and 7 (mode 7 has no frB bit).
        let hasFrB = mode != 7
        let extra = hasFrB ? 1 : 0
        try builder.addField("dphiab_bin", offset: 0, width: 7, outputs: [("dphi_ab", nlb7)])
        try builder.addField("dphibc_bin", offset: 7, width: 5, outputs: [("dphi_bc_abs", nlb5)])
        try builder.addField("sphibc", offset: 12, width: 1, outputs: [("sphi_bc_sign", sign)])
        try builder.addField("dtheta", offset: 13, width: 3, outputs: [("dth", identity(3))])
        try builder.addField("fra", offset: 16, width: 1, outputs: [("fr_a", identity(1))])
        if hasFrB { try builder.addField("frb", offset: 17, width: 1, outputs: [("fr_b", identity(1))]) }
        try builder.addField("clcta", offset: 17 + extra, width: 2, outputs: [("bend_a", identity(2))])
        // rpc_2b: 0 = RPC in A, 1 = in C, 2 = in B, 3 = none
        // (PtAssignmentEngineAux2017.cc, unpack2bRPC).
        try builder.addField("rpc_2b", offset: 19 + extra, width: 2, outputs: [
            ("rpc_a", [1, 0, 0, 0]), ("rpc_b", [0, 0, 1, 0]), ("rpc_c", [0, 1, 0, 0])])
        try builder.addField("theta", offset: 21 + extra, width: 5, outputs: mode == 7 ? [("theta", identity(5))] : theta5)
        try builder.derive("dphi_bc", .mul, ["dphi_bc_abs", "sphi_bc_sign"])
        try builder.derive("dphi_ac", .add, ["dphi_ab", "dphi_bc"])
        // Trained order: the mode-14, 13, 11 and 7 predictors of
        // calculate_pt_xml(address).
        let tail = ["fr_a"] + (hasFrB ? ["fr_b"] : []) + ["bend_a", "dth", "rpc_a", "rpc_b", "rpc_c"]
        let inputs: [String]
        let first: UInt64
        switch mode {
        case 14: // A,B,C = 1,2,3: dPhi12, dPhi23, dPhi13; prefix bits[28:27] = 0b11
            inputs = ["theta", "st1_ring2", "dphi_ab", "dphi_bc", "dphi_ac"] + tail
            first = 3 << 27
        case 13: // 1,2,4: dPhi12, dPhi14, dPhi24; prefix 0b10
            inputs = ["theta", "st1_ring2", "dphi_ab", "dphi_ac", "dphi_bc"] + tail
            first = 2 << 27
        case 11: // 1,3,4: dPhi34, dPhi13, dPhi14; prefix 0b01
            inputs = ["theta", "st1_ring2", "dphi_bc", "dphi_ab", "dphi_ac"] + tail
            first = 1 << 27
        default: // 7: 2,3,4: dPhi23, dPhi34, dPhi24; bits[29:26] = 0001
            inputs = ["theta", "dphi_ab", "dphi_bc", "dphi_ac"] + tail
            first = 1 << 26
        }
        return try builder.build(firstAddress: first, addressBits: mode == 7 ? 26 : 27, inputs: inputs)
    }

    // MARK: 2-station modes

    static func twoStation(_ mode: Int) throws -> LUTScheme {
        var builder = LUTSchemeBuilder(name: "emtf2017-mode\(mode)")
        // Bit layout: calculate_address in PtAssignmentEngine2017.cc,
        // two-station modes.
        try builder.addField("dphiab_bin", offset: 0, width: 7, outputs: [("dphi_ab", nlb7)])
        try builder.addField("dtheta", offset: 7, width: 3, outputs: [("dth", identity(3))])
        try builder.addField("fra", offset: 10, width: 1, outputs: [("fr_a", identity(1))])
        try builder.addField("frb", offset: 11, width: 1, outputs: [("fr_b", identity(1))])
        // 3-bit bend codes; code 0 marks an RPC hit (PtAssignmentEngineAux2017.cc
        // getCLCT; calculate_pt_xml(address) feeds RPC = (clct == 0)).
        let rpcOfCode: [Double] = (0..<8).map { $0 == 0 ? 1 : 0 }
        try builder.addField("clcta", offset: 12, width: 3, outputs: [("bend_a", identity(3)), ("rpc_a", rpcOfCode)])
        try builder.addField("clctb", offset: 15, width: 3, outputs: [("bend_b", identity(3)), ("rpc_b", rpcOfCode)])
        let withStation1 = mode >= 8
        try builder.addField("theta", offset: 18, width: 5, outputs: withStation1 ? theta5 : [("theta", identity(5))])
        // mode2 prefix: 12->7, 10->6, 9->5, 6->4, 5->3, 3->2 in bits[25:23]
        // (calculate_address in PtAssignmentEngine2017.cc).
        let mode2: [Int: UInt64] = [12: 7, 10: 6, 9: 5, 6: 4, 5: 3, 3: 2]
        let first = (mode2[mode] ?? 0) << 23
        // Trained order: the two-station predictors of calculate_pt_xml(address)
        // (12/10/9 with St1_ring2, 6/5/3 without).
        let inputs = ["theta"] + (withStation1 ? ["st1_ring2"] : []) +
            ["dphi_ab", "fr_a", "fr_b", "bend_a", "bend_b", "dth", "rpc_a", "rpc_b"]
        return try builder.build(firstAddress: first, addressBits: 23, inputs: inputs)
    }
}

extension LUTScheme {
    /// A built-in scheme: "emtf2017-mode15", ... (`EMTFPresets.names`).
    package static func preset(_ name: String) throws -> LUTScheme { try EMTFPresets.preset(name) }
    package static var presetNames: [String] { EMTFPresets.names }
}
