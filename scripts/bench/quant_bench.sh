#!/bin/sh
# Build Tensor in release mode and run the quant kernel timing harness against its objects.
# Usage (from the repository root): scripts/bench/quant_bench.sh [hot|all]
set -e
swift build -c release --target Tensor
B=.build/release
mkdir -p "$B/quant_bench"
swiftc -Ounchecked -Xcc -mavx2 -Xcc -mfma -Xcc -mf16c -I "$B/Modules" \
    -Xcc -fmodule-map-file="$B/CriaKernels.build/module.modulemap" \
    scripts/bench/quant_bench.swift "$B"/Tensor.build/*.o "$B"/GGUF.build/*.o "$B"/CriaKernels.build/*.o \
    -o "$B/quant_bench/quant_bench"
"$B/quant_bench/quant_bench" "$@"
