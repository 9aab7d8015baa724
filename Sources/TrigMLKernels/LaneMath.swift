// Sign-bit arithmetic on SIMD lanes: |x| without a libm call per lane.

extension SIMD where Scalar == Double {
    /// |v| by clearing the sign bit (NaN stays NaN, -0 becomes +0), for
    /// `sigmoid` and `hyperbolicTangent`.
    @inlinable @inline(__always)
    package var magnitude: Self {
        unsafeBitCast(unsafeBitCast(self, to: MaskStorage.self) & MaskStorage(repeating: .max), to: Self.self)
    }
}

extension SIMD where Scalar == Float {
    /// |v| by clearing the sign bit, as C's `fabsf` (the T5 features' `abs`).
    @inlinable @inline(__always)
    package var magnitude: Self {
        unsafeBitCast(unsafeBitCast(self, to: MaskStorage.self) & MaskStorage(repeating: .max), to: Self.self)
    }
}
