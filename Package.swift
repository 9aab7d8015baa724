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
        // Numeric kernels: dense layers over SIMD lanes, fast exp/log/sigmoid,
        // lane math, and the reader of a network's `layers` in model files.
        .target(name: "TrigMLKernels", dependencies: ["TrigMLCore"]),
        // LST T5 quintuplet DNN: features, network, working points, model files.
        .target(name: "TrigMLT5", dependencies: ["TrigMLCore", "TrigMLKernels"]),
        // Forests (XGBoost JSON and trigml.forest files) and batched evaluation.
        .target(name: "TrigMLForest", dependencies: ["TrigMLCore"]),
        // EMTF-style pT LUTs: address schemes, the forest's LUT form, pT conversion, tabulated generation.
        .target(name: "TrigMLLUT", dependencies: ["TrigMLCore", "TrigMLForest"]),
        // Jet taggers: MLP / Deep Sets scoring, feature scaling, log-ratio discriminant.
        .target(name: "TrigMLTagger", dependencies: ["TrigMLCore", "TrigMLKernels"]),
        // Mass decorrelation: DDT maps (build, apply, files), weighted quantiles, sculpting metrics.
        .target(name: "TrigMLDecorrelation", dependencies: ["TrigMLCore"]),
        // The @_cdecl layer: argument checks, C struct conversion, status + last error, no logic.
        .target(name: "TrigML", dependencies: ["CTrigML", "TrigMLCore", "TrigMLT5", "TrigMLForest", "TrigMLLUT",
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
        .testTarget(name: "TrigMLKernelsTests", dependencies: ["TrigMLKernels", "TrigMLCore"]),
        .testTarget(name: "TrigMLT5Tests", dependencies: ["TrigMLT5", "TrigMLCore", "TrigMLKernels"]),
        .testTarget(name: "TrigMLForestTests", dependencies: ["TrigMLForest", "TrigMLCore"]),
        .testTarget(name: "TrigMLLUTTests", dependencies: ["TrigMLLUT", "TrigMLForest", "TrigMLCore"]),
        .testTarget(name: "TrigMLTaggerTests", dependencies: ["TrigMLTagger", "TrigMLCore", "TrigMLKernels"]),
        .testTarget(name: "TrigMLDecorrelationTests", dependencies: ["TrigMLDecorrelation", "TrigMLCore"]),
        // The C ABI layer (struct conversion) and the CLI's own helpers.
        .testTarget(name: "TrigMLTests", dependencies: ["TrigML", "CTrigML", "TrigMLCore", "TrigMLDecorrelation", "TrigMLLUT"]),
        .testTarget(name: "TrigMLCLITests", dependencies: ["TrigMLCLI"]),
    ]
)
