// swift-tools-version:5.9
// TrigML: one self-contained shared library with a C ABI (include/trigml.h).
// No package dependencies, by rule: only the toolchain's own modules.
//
// Only the @_cdecl functions of `TrigML` are public; every inner module
// uses `package` access (tools-version 5.9 passes -package-name), so the
// C ABI is the library's whole surface.
import PackageDescription

// This manifest's directory, absolute: linker flags are not resolved relative to it.
let packageDirectory = String(#filePath.dropLast("/Package.swift".count))

// Kernel paths (Sources/TrigMLCPU/CPUPath.swift): the hot kernels of
// Sources/TrigMLCPUBaseline are compiled once more per x86-64 level, from the
// same files (Sources/TrigMLCPUAVX2 and Sources/TrigMLCPUAVX512 hold symlinks),
// and one of them is chosen at load. Elsewhere every module is the baseline.
// (`x86-64-v3` is not a -target-cpu this swiftc accepts; `haswell` is the same
// feature set: AVX2, FMA, BMI1/2, LZCNT, MOVBE, F16C.) No fast-math flags:
// LLVM forms a fused multiply-add only from contractable operations, and
// Swift emits none, so every path rounds every product and sum alike.
// `registerBlock` names how many outputs one pass of the float (T5) network
// keeps in registers (Sources/TrigMLCPUBaseline/FloatLayers.swift): it
// changes which candidates' sums run side by side, never a sum's order.
func kernelPath(_ name: String, targetCPU: String, registerBlock: Int) -> Target {
#if arch(x86_64)
    let settings: [SwiftSetting] = [.unsafeFlags(["-target-cpu", targetCPU]),
                                    .define("TRIGML_FLOAT_BLOCK_\(registerBlock)")]
#else
    let settings: [SwiftSetting] = [.define("TRIGML_FLOAT_BLOCK_\(registerBlock)")]
#endif
    return .target(name: name, dependencies: ["TrigMLCore", "TrigMLCPU"], swiftSettings: settings)
}

let package = Package(
    name: "TrigML",
    products: [
        // libtrigml.so; build with `-Xswiftc -static-stdlib` (CMakeLists.txt does)
        // so that it needs only the C/C++ runtime at load time.
        .library(name: "trigml", type: .dynamic, targets: ["TrigML"]),
        // The `trigml` command line (README "Command line"). The product name
        // `trigml` is the library's, so the executable is `trigml-cli`;
        // CMake installs it as `trigml` and tools/trigml wraps it.
        .executable(name: "trigml-cli", targets: ["TrigMLCLI"]),
    ],
    targets: [
        // The public header, imported by the ABI layer only, so struct layouts cannot drift.
        .systemLibrary(name: "CTrigML", path: "include"),
        // Shared by every capability: errors, the platform C library, JSON
        // reading and writing, whole-file reading, atomic text-file writing,
        // threads for the calls that take n_threads, a lock-protected once-slot.
        .target(name: "TrigMLCore"),
        // The kernel paths this CPU supports, TRIGML_ISA, the kernels' plain
        // records (layer views, forest nodes) and the table of kernel functions.
        .target(name: "TrigMLCPU", dependencies: ["TrigMLCore"]),
        // The hot loops (dense layers in float and double, forest trees over a
        // block), compiled for each path.
        kernelPath("TrigMLCPUBaseline", targetCPU: "x86-64", registerBlock: 4),
        kernelPath("TrigMLCPUAVX2", targetCPU: "haswell", registerBlock: 4),
        kernelPath("TrigMLCPUAVX512", targetCPU: "skylake-avx512", registerBlock: 8),
        // Numeric kernels: dense layers over SIMD lanes, fast exp/log/sigmoid,
        // the active kernel path, and the reader of a network's `layers` in model files.
        .target(name: "TrigMLKernels", dependencies: ["TrigMLCore", "TrigMLCPU", "TrigMLCPUBaseline",
                                                      "TrigMLCPUAVX2", "TrigMLCPUAVX512"]),
        // LST T5 quintuplet DNN: features, network, working points, model files.
        .target(name: "TrigMLT5", dependencies: ["TrigMLCore", "TrigMLCPU", "TrigMLKernels"]),
        // Forests (XGBoost JSON and trigml.forest files) and batched evaluation.
        .target(name: "TrigMLForest", dependencies: ["TrigMLCore", "TrigMLCPU", "TrigMLKernels"]),
        // EMTF-style pT LUTs: address schemes, the forest's LUT form, pT conversion, tabulated generation.
        .target(name: "TrigMLLUT", dependencies: ["TrigMLCore", "TrigMLForest"]),
        // Jet taggers: MLP / Deep Sets scoring, feature scaling, log-ratio discriminant.
        .target(name: "TrigMLTagger", dependencies: ["TrigMLCore", "TrigMLCPU", "TrigMLKernels"]),
        // Mass decorrelation: DDT maps (build, apply, files), weighted quantiles, sculpting metrics.
        .target(name: "TrigMLDecorrelation", dependencies: ["TrigMLCore"]),
        // The @_cdecl layer: argument checks, C struct conversion, status + last error, no logic.
        .target(name: "TrigML", dependencies: ["CTrigML", "TrigMLCore", "TrigMLCPU", "TrigMLKernels", "TrigMLT5", "TrigMLForest", "TrigMLLUT",
                                               "TrigMLTagger", "TrigMLDecorrelation"],
                // -z nodelete: dlclose() leaves the library mapped. Threads that
                // ever failed a call hold a last-error string freed by a TLS
                // destructor in this library; unmapping it would crash them at
                // thread exit (Tests/c/t5_dlclose.c).
                // --version-script: only the tml_* entry points are exported
                // (include/trigml.map; the linker wants its absolute path).
                // -soname: programs linked with -ltrigml record libtrigml.so.1,
                // the ABI version, as CMakeLists.txt installs it.
                // lld (shipped with the Swift toolchain): gold keeps the hidden
                // Swift symbols in .dynsym as LOCAL entries; lld drops them.
                // (SwiftPM applies these flags to trigml-cli too, which links
                // this target: on an executable the SONAME is inert and the
                // script only limits what it exports.)
                linkerSettings: [.unsafeFlags([
                    "-use-ld=lld",
                    "-Xlinker", "-z", "-Xlinker", "nodelete",
                    "-Xlinker", "--version-script=\(packageDirectory)/include/trigml.map",
                    "-Xlinker", "-soname=libtrigml.so.1",
                ])]),
        .executableTarget(name: "TrigMLCLI", dependencies: ["TrigML", "TrigMLCore", "TrigMLForest", "TrigMLLUT"]),
        .testTarget(name: "TrigMLCoreTests", dependencies: ["TrigMLCore"]),
        .testTarget(name: "TrigMLKernelsTests", dependencies: ["TrigMLKernels", "TrigMLCPU", "TrigMLCore"]),
        .testTarget(name: "TrigMLT5Tests", dependencies: ["TrigMLT5", "TrigMLCore", "TrigMLCPU", "TrigMLKernels"]),
        .testTarget(name: "TrigMLForestTests", dependencies: ["TrigMLForest", "TrigMLCore"]),
        .testTarget(name: "TrigMLLUTTests", dependencies: ["TrigMLLUT", "TrigMLForest", "TrigMLCore"]),
        .testTarget(name: "TrigMLTaggerTests", dependencies: ["TrigMLTagger", "TrigMLCore", "TrigMLKernels"]),
        .testTarget(name: "TrigMLDecorrelationTests", dependencies: ["TrigMLDecorrelation", "TrigMLCore"]),
        // The C ABI layer (struct conversion) and the CLI's own helpers.
        .testTarget(name: "TrigMLTests", dependencies: ["TrigML", "CTrigML", "TrigMLCore", "TrigMLDecorrelation", "TrigMLLUT"]),
        .testTarget(name: "TrigMLCLITests", dependencies: ["TrigMLCLI"]),
    ]
)
