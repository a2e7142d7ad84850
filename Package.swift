// swift-tools-version: 6.0
import PackageDescription

// The numeric targets need AVX2/FMA/F16C code generation on x86-64: without these flags
// `SIMD8<Float>.addingProduct` lowers to per-lane `fmaf` calls and `Float(Float16)` to a
// library call (see ../shared/KERNELS.md). Other architectures build with their defaults.
#if arch(x86_64)
let simdSettings: [SwiftSetting] = [
    .unsafeFlags(["-Xcc", "-mavx2", "-Xcc", "-mfma", "-Xcc", "-mf16c", "-Ounchecked"]),
]
#else
let simdSettings: [SwiftSetting] = [.unsafeFlags(["-Ounchecked"])]
#endif

let package = Package(
    name: "Cria",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Cria", targets: ["Cria"]),
        .executable(name: "cria", targets: ["cria"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .target(name: "GGUF"),
        // C kernels with run-time AVX2 dispatch: bit-exact ports of llama.cpp's quantized dots.
        .target(name: "CriaKernels", cSettings: [.unsafeFlags(["-O3", "-fno-fast-math", "-ffp-contract=off"])]),
        .target(name: "Tensor", dependencies: ["GGUF", "CriaKernels"], swiftSettings: simdSettings),
        .target(name: "Tokenizer", dependencies: ["GGUF"]),
        .target(name: "Jinja"),
        // GBNF grammars, JSON Schema to grammar, token masks for constrained decoding.
        .target(name: "Grammar", swiftSettings: [.unsafeFlags(["-Ounchecked"])]),
        // Tool-call formats of the Llama family's chat models: parsing and the grammars that force them.
        .target(name: "ToolCalls", dependencies: ["Grammar"]),
        .target(name: "Sampling", dependencies: ["Tensor", "Grammar"], swiftSettings: simdSettings),
        .target(name: "Llama", dependencies: ["GGUF", "Tensor"], swiftSettings: simdSettings),
        .target(name: "Cria", dependencies: ["GGUF", "Tensor", "Tokenizer", "Jinja", "Grammar", "ToolCalls", "Sampling", "Llama"]),
        .target(name: "CriaServer", dependencies: [
            "Cria", "Sampling", "Tokenizer", "Grammar", "ToolCalls",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .executableTarget(
            name: "cria",
            dependencies: [
                "Cria", "CriaServer", "GGUF", "Grammar", "Jinja", "Sampling", "Tokenizer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "GGUFTests", dependencies: ["GGUF"]),
        .testTarget(name: "TensorTests", dependencies: ["Tensor", "GGUF"]),
        .testTarget(name: "TokenizerTests", dependencies: ["Tokenizer", "GGUF"]),
        .testTarget(name: "JinjaTests", dependencies: ["Jinja"]),
        .testTarget(name: "GrammarTests", dependencies: ["Grammar"]),
        .testTarget(name: "ToolCallsTests", dependencies: ["ToolCalls", "Grammar"]),
        .testTarget(name: "SamplingTests", dependencies: ["Sampling", "Grammar"]),
        .testTarget(name: "LlamaTests", dependencies: ["Llama", "GGUF", "Tensor"]),
        .testTarget(name: "CriaTests", dependencies: ["Cria", "GGUF", "Grammar", "Jinja", "Llama", "Sampling", "Tokenizer", "ToolCalls"]),
        .testTarget(name: "CriaServerTests", dependencies: [
            "CriaServer", "Cria", "Grammar",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
    ]
)
