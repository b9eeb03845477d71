#!/usr/bin/env bash
# The GPU proof of backend-cuda, in two steps (see README.md, "GPU check"):
#
#   backend-cuda/gpu-check.sh prepare   # on the build machine (JDK 25, Maven): builds the module and
#                                       # puts a small Java runtime and every jar the check needs
#                                       # under backend-cuda/target/gpu-check
#   backend-cuda/gpu-check.sh run       # on the GPU machine, with backend-cuda/target/gpu-check carried
#                                       # there: runs the module's tests with ACCEL_REQUIRE=cuda (so
#                                       # the GPU tests must run, not skip), then the benchmark main,
#                                       # then PyTorch's matmul and pinned copies where PyTorch is installed
#
# `run` prints everything and, when $OUT is set (the device runner's output folder), also writes
# $OUT/gpu-check.log. It reports only what it measured: the benchmark prints a cuBLAS comparison
# only where libcublas is installed on the GPU machine.
set -euo pipefail

here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
root="$(cd "$here/.." && pwd)"
dist="$here/target/gpu-check"

prepare() {
    local java_home="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
    [[ -x "$java_home/bin/jlink" ]] || { echo "gpu-check: JAVA_HOME must be a JDK 25 with jlink (got $java_home)" >&2; exit 1; }
    export JAVA_HOME="$java_home"
    (cd "$root" && mvn -q -f backend-cuda/pom.xml verify -DskipTests)
    rm -rf "$dist"
    mkdir -p "$dist/lib"
    (cd "$root" && mvn -q -f backend-cuda/pom.xml dependency:copy-dependencies -DincludeScope=test \
        -DexcludeArtifactIds=jcuda-natives -DoutputDirectory="$dist/lib")
    cp "$here"/target/backend-cuda-*.jar "$dist/lib/"
    "$JAVA_HOME/bin/jar" --create --file "$dist/lib/backend-cuda-tests.jar" -C "$here/target/test-classes" .
    # JCuda and JUnit log through java.util.logging; JUnit scans jars through the zip file system.
    local modules=java.base,java.logging,jdk.unsupported,jdk.zipfs
    "$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
        --compress=zip-9 --output "$dist/jdk"
    echo "gpu-check: prepared $(du -sh "$dist" | cut -f1) in $dist (runtime modules: $modules)"
    echo "gpu-check: on the GPU machine run: backend-cuda/gpu-check.sh run   (carry backend-cuda/target/gpu-check)"
}

run() {
    local java="$dist/jdk/bin/java"
    [[ -x "$java" ]] || { echo "gpu-check: $java is missing: run 'backend-cuda/gpu-check.sh prepare' first and carry $dist" >&2; exit 1; }
    local log=/dev/null
    if [[ -n "${OUT:-}" ]]; then
        mkdir -p "$OUT"
        log="$OUT/gpu-check.log"
    fi
    local cp="$dist/lib/*"
    local opts=(--enable-native-access=ALL-UNNAMED -Xss4m -Daccel.cuda.cache="$dist/ptx-cache")
    {
        echo "== machine"
        nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1 || echo "nvidia-smi not available"
        echo "== tests (ACCEL_REQUIRE=cuda: the GPU tests fail rather than skip without a GPU)"
        local status=0
        # The tests read the kernel sources relative to the module folder.
        (cd "$here" && ACCEL_REQUIRE=cuda "$java" "${opts[@]}" -cp "$cp" dev.accel.backend.cuda.CudaGpuCheckMain) || status=$?
        echo "== benchmark"
        "$java" "${opts[@]}" -cp "$cp" dev.accel.backend.cuda.CudaBenchMain "${GEMM_N:-4096}" "${GEMM_REPS:-20}" || status=$?
        echo "== PyTorch reference (a stand-in for cuBLAS and for a plain pinned copy)"
        if command -v python3 >/dev/null 2>&1 \
                && python3 -c "import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)" >/dev/null 2>&1; then
            python3 "$here/src/build/torch_reference.py" "${GEMM_N:-4096}" "${GEMM_REPS:-20}" || status=$?
        else
            echo "PyTorch with CUDA is not installed here: no PyTorch reference measured"
        fi
        echo "== gpu-check exit status $status"
        exit "$status"
    } 2>&1 | tee "$log"
    return "${PIPESTATUS[0]}"
}

case "${1:-}" in
    prepare) prepare ;;
    run) run ;;
    *) echo "usage: backend-cuda/gpu-check.sh prepare|run" >&2; exit 2 ;;
esac
