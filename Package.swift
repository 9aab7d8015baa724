// swift-tools-version:5.9
// TrigML: one self-contained shared library with a C ABI (include/trigml.h).
// No package dependencies, by rule: only the toolchain's own modules.
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
        // The public header, imported by Swift so struct layouts cannot drift.
        .systemLibrary(name: "CTrigML", path: "include"),
        // Errors, JSON reader, file reading: shared by every capability.
        .target(name: "TrigMLCore"),
        // Hot numeric kernels (dense layers over SIMD lanes, fast exp/log).
        .target(name: "TrigMLKernels"),
        // LST T5 quintuplet DNN: features, network, working points, model files.
        .target(name: "TrigMLT5", dependencies: ["CTrigML", "TrigMLCore", "TrigMLKernels"]),
        // Forests (XGBoost JSON and own format), batched evaluation; LUT schemes.
        .target(name: "TrigMLForest", dependencies: ["TrigMLCore"]),
        // EMTF-style pT LUTs: address schemes, pT conversion, exact tabulated generation.
        .target(name: "TrigMLLUT", dependencies: ["CTrigML", "TrigMLCore", "TrigMLForest"]),
        // Decorrelated taggers: MLP / Deep Sets scoring, log-ratio discriminant, DDT maps, metrics.
        .target(name: "TrigMLTagger", dependencies: ["CTrigML", "TrigMLCore", "TrigMLKernels"]),
        // The @_cdecl layer: argument checks, status + last error, no logic.
        .target(name: "TrigML", dependencies: ["CTrigML", "TrigMLCore", "TrigMLT5", "TrigMLForest", "TrigMLLUT", "TrigMLTagger"],
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
        .testTarget(name: "TrigMLT5Tests", dependencies: ["CTrigML", "TrigMLT5", "TrigMLCore", "TrigMLKernels"]),
        .testTarget(name: "TrigMLForestTests", dependencies: ["TrigMLForest", "TrigMLCore"]),
        .testTarget(name: "TrigMLLUTTests", dependencies: ["TrigMLLUT", "TrigMLForest", "TrigMLCore"]),
        .testTarget(name: "TrigMLTaggerTests", dependencies: ["CTrigML", "TrigMLTagger", "TrigMLCore", "TrigMLKernels"]),
    ]
)
