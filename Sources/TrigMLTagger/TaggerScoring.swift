import TrigMLCore
import TrigMLCPU
import TrigMLKernels

/// Batched scoring with jets on lanes. A pass takes up to `jetLanes` jets:
/// their scaled jet features and, for Deep Sets, their pooled Phi outputs
/// form F's input rows (one row per input, the jets along it). Phi runs over
/// the pass's constituents as one stream of `constituentLanes`-wide rows
/// (crossing jet boundaries), and each constituent's outputs are added to
/// its jet's sums in constituent order, so every sum is sequential and
/// results never depend on the pass a jet lands in, the batch size, the
/// thread count or the kernel path (the layers: DenseNetwork.evaluateRows).
/// The working rows live in the calling thread's reused buffer
/// (`ThreadScratch`): a call allocates nothing once its thread has scored
/// with a model of this size.
extension TaggerModel {
    /// Jets per F pass and constituents per Phi pass: lanes of a row. 32
    /// constituents keep a 64-wide layer's input and output rows (16 KiB
    /// each) in L1 while its weights stream through.
    static let jetLanes = 32
    static let constituentLanes = 32

    /// Probabilities of every jet into `out[jetCount * outputCount]`,
    /// row-major. `batch` must have been read for this model.
    package func score(_ batch: JetBatch, into out: UnsafeMutablePointer<Float>) throws {
        let parts = ScoringRows(self)
        try ThreadScratch.with(bytes: parts.bytes, for: "a tagger call") { raw in
            let rows = parts.carve(raw)
            let stride = Self.jetLanes
            let latent = latentCount, outputs = outputCount
            var first = 0
            while first < batch.jetCount {
                let jets = min(stride, batch.jetCount - first)
                rows.fInput.update(repeating: 0, count: network.inputCount * stride)
                rows.jetFinite.update(repeating: true, count: stride)
                // Jet features after the pooled block (F's input order).
                fillRows(jetScaling, rows.fInput + latent * stride, stride: stride,
                         from: batch.jetFeatures + first * jetFeatureCount, count: jets, finite: rows.jetFinite)
                if let phi {
                    pool(phi, batch, firstJet: first, jets: jets, rows: rows)
                }
                network.evaluateRows(input: rows.fInput, output: rows.logits, scratch: rows.fScratch,
                                     lanes: jets, stride: stride)
                applyHead(rows.logits, stride: stride, lanes: jets)
                for lane in 0..<jets {
                    let row = out + (first + lane) * outputs
                    for k in 0..<outputs {
                        row[k] = rows.jetFinite[lane] ? Float(rows.logits[k * stride + lane]) : .nan
                    }
                }
                first += jets
            }
        }
    }

    /// Scales `count` consecutive feature rows (row-major, one per lane)
    /// into lanes 0..<count of the rows at `rows` (one row per feature,
    /// `stride` apart); a lane with a non-finite scaled value is marked in
    /// `finite`. The same transform as `FeatureScaling.fillTile`.
    @inline(__always)
    func fillRows(_ scaling: FeatureScaling, _ rows: UnsafeMutablePointer<Double>, stride: Int,
                  from start: UnsafePointer<Float>, count: Int, finite: UnsafeMutablePointer<Bool>) {
        let features = scaling.offset.count
        for lane in 0..<count {
            let source = start + lane * features
            for k in 0..<features {
                let v = scaling.apply(source[k], k)
                if !v.isFinite { finite[lane] = false }
                rows[k * stride + lane] = v
            }
        }
    }

    /// Adds Phi(constituent) of every constituent of jets
    /// `firstJet ..< firstJet + jets` to lane (jet - firstJet) of the first
    /// `latentCount` rows of `rows.fInput` (already zero).
    @inline(__always)
    func pool(_ phi: DenseNetwork, _ batch: JetBatch, firstJet: Int, jets: Int, rows: ScoringRows.Pointers) {
        let features = constituentFeatureCount
        let latent = latentCount
        let width = Self.constituentLanes, jetStride = Self.jetLanes
        let end = batch.offsets[firstJet + jets]
        var c = batch.offsets[firstJet]
        var jetLane = 0
        while c < end {
            let n = min(width, end - c)
            // Lanes past n are zero, not stale (denormal garbage would slow
            // every layer; their results are never read).
            rows.constituentInput.update(repeating: 0, count: features * width)
            rows.constituentFinite.update(repeating: true, count: width)
            fillRows(constituentScaling, rows.constituentInput, stride: width,
                     from: batch.constituentFeatures + c * features, count: n, finite: rows.constituentFinite)
            phi.evaluateRows(input: rows.constituentInput, output: rows.phiOutput, scratch: rows.phiScratch,
                             lanes: n, stride: width)
            // Each jet's lanes [lane, segmentEnd) of this pass, summed in
            // constituent order, eight latent rows at a time (independent sums).
            var lane = 0
            while lane < n {
                while c + lane >= batch.offsets[firstJet + jetLane + 1] { jetLane += 1 }
                let segmentEnd = min(n, batch.offsets[firstJet + jetLane + 1] - c)
                addSegment(rows.phiOutput, width, lane, segmentEnd, into: rows.fInput + jetLane, jetStride, latent)
                for k in lane..<segmentEnd where !rows.constituentFinite[k] { rows.jetFinite[jetLane] = false }
                lane = segmentEnd
            }
            c += n
        }
    }

    /// sums[l * sumStride] += phi[l * stride + k] for k in from..<to, in k
    /// order, for every latent row l < latent.
    @inline(__always)
    func addSegment(_ phi: UnsafePointer<Double>, _ stride: Int, _ from: Int, _ to: Int,
                    into sums: UnsafeMutablePointer<Double>, _ sumStride: Int, _ latent: Int) {
        var l = 0
        while l + 4 <= latent {
            let p0 = phi + l * stride, p1 = p0 + stride, p2 = p1 + stride, p3 = p2 + stride
            var s0 = sums[l * sumStride], s1 = sums[(l + 1) * sumStride]
            var s2 = sums[(l + 2) * sumStride], s3 = sums[(l + 3) * sumStride]
            for k in from..<to { s0 += p0[k]; s1 += p1[k]; s2 += p2[k]; s3 += p3[k] }
            sums[l * sumStride] = s0; sums[(l + 1) * sumStride] = s1
            sums[(l + 2) * sumStride] = s2; sums[(l + 3) * sumStride] = s3
            l += 4
        }
        while l < latent {
            let p = phi + l * stride
            var s = sums[l * sumStride]
            for k in from..<to { s += p[k] }
            sums[l * sumStride] = s
            l += 1
        }
    }

    /// Logits to probabilities in place, four lanes at a time: the guarded
    /// sigmoid for one output; softmax as exp(z_k - max z) / sum, the sum in
    /// class order.
    @inline(__always)
    func applyHead(_ logits: UnsafeMutablePointer<Double>, stride: Int, lanes: Int) {
        let raw = UnsafeMutableRawPointer(logits)
        @inline(__always) func load(_ k: Int, _ lane: Int) -> Lanes {
            raw.loadUnaligned(fromByteOffset: (k * stride + lane) * 8, as: Lanes.self)
        }
        @inline(__always) func store(_ v: Lanes, _ k: Int, _ lane: Int) {
            raw.storeBytes(of: v, toByteOffset: (k * stride + lane) * 8, as: Lanes.self)
        }
        var lane = 0
        while lane < lanes {
            switch head {
            case .sigmoid:
                store(sigmoid(load(0, lane)), 0, lane)
            case .softmax:
                let count = outputCount
                var largest = load(0, lane)
                for k in 1..<count { largest = pointwiseMax(largest, load(k, lane)) }
                var sum = Lanes()
                for k in 0..<count {
                    let e = expNonPositive(load(k, lane) - largest)
                    store(e, k, lane)
                    sum += e
                }
                for k in 0..<count { store(load(k, lane) / sum, k, lane) }
            }
            lane += laneWidth
        }
    }
}

/// The working rows of one `score` call, carved from one buffer (every part
/// on a 64-byte boundary): F's input, scratch and logits rows (`jetLanes`
/// wide), Phi's input, scratch and output rows (`constituentLanes` wide),
/// and the per-lane finite flags.
struct ScoringRows {
    struct Pointers {
        let fInput: UnsafeMutablePointer<Double>
        let fScratch: UnsafeMutablePointer<Double>
        let logits: UnsafeMutablePointer<Double>
        let constituentInput: UnsafeMutablePointer<Double>
        let phiScratch: UnsafeMutablePointer<Double>
        let phiOutput: UnsafeMutablePointer<Double>
        let jetFinite: UnsafeMutablePointer<Bool>
        let constituentFinite: UnsafeMutablePointer<Bool>
    }

    /// Sizes in doubles, in the order of `Pointers`, each rounded to whole
    /// cache lines (8 doubles); the flags come after them. Plain values, so
    /// working them out allocates nothing.
    let fInput, fScratch, logits, constituentInput, phiScratch, phiOutput: Int
    var doubles: Int { fInput + fScratch + logits + constituentInput + phiScratch + phiOutput }
    var bytes: Int { doubles * 8 + TaggerModel.jetLanes + TaggerModel.constituentLanes }

    init(_ model: TaggerModel) {
        let jets = TaggerModel.jetLanes, constituents = TaggerModel.constituentLanes
        func lines(_ count: Int) -> Int { (count + 7) & ~7 }
        fInput = lines(model.network.inputCount * jets)
        fScratch = lines(model.network.rowScratchCount(stride: jets))
        logits = lines(model.outputCount * jets)
        constituentInput = lines((model.phi == nil ? 0 : model.constituentFeatureCount) * constituents)
        phiScratch = lines(model.phi?.rowScratchCount(stride: constituents) ?? 0)
        phiOutput = lines(model.latentCount * constituents)
    }

    func carve(_ raw: UnsafeMutableRawPointer) -> Pointers {
        let base = raw.bindMemory(to: Double.self, capacity: doubles)
        let flags = (raw + doubles * 8).bindMemory(to: Bool.self, capacity: TaggerModel.jetLanes + TaggerModel.constituentLanes)
        let f = base, fs = f + fInput, lg = fs + fScratch, ci = lg + logits, ps = ci + constituentInput
        return Pointers(fInput: f, fScratch: fs, logits: lg, constituentInput: ci, phiScratch: ps,
                        phiOutput: ps + phiScratch, jetFinite: flags, constituentFinite: flags + TaggerModel.jetLanes)
    }
}
