#!/usr/bin/env bash
# The NVIDIA proof of the CUDA and Vulkan backends, for a GPU machine that has the driver but no JDK,
# no Maven and no network (see README.md, "On an NVIDIA GPU"):
#
#   tools/nvidia-check.sh prepare   # on the build machine (JDK 25, Maven, apt): builds the project,
#                                   # then puts in .dist/ a small Java runtime (as a .tgz), the CLI's
#                                   # jars (less ONNX Runtime, OpenBLAS and JMH, which it only needs
#                                   # for `accel bench cpu`), the CUDA module's test jars, and in .gl/
#                                   # the Debian packages of the Vulkan loader and GL dispatch (libglvnd)
#   tools/nvidia-check.sh run       # on the GPU machine, with .dist and .gl carried there
#
# `run` unpacks the runtime and the loader, then prints: the machine (nvidia-smi), accel devices, the
# CUDA module's tests with ACCEL_REQUIRE=cuda (GPU tests fail rather than skip), its benchmark and
# PyTorch's reference, the conformance suite on cuda:0 and on vulkan:0, VulkanBench (GEMM at
# n = 1024, one-dispatch submit latency) and `accel demo` (the main job). Each step has
# a time limit so that one hang does not take the rest. With $OUT set (the device runner's output
# folder) the log and the conformance reports land there too.
set -uo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
dist="$root/.dist"

prepare() {
    set -e
    local java_home="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
    [[ -x "$java_home/bin/jlink" ]] || { echo "nvidia-check: JAVA_HOME must be a JDK 25 with jlink (got $java_home)" >&2; exit 1; }
    export JAVA_HOME="$java_home" PATH="$java_home/bin:$PATH"
    (cd "$root" && mvn -q -B install -DskipTests)
    rm -rf "$dist"
    mkdir -p "$dist/cli" "$dist/cuda"
    # The CLI and what it loads at run time; the peers of `accel bench cpu` stay behind (90 MB).
    cp "$root"/cli/target/cli-*.jar "$dist/cli/"
    find "$root/cli/target/lib" -name '*.jar' ! -name 'onnxruntime-*' ! -name 'openblas-*' \
        ! -name 'javacpp-*' ! -name 'jmh-*' ! -name 'jopt-*' ! -name 'commons-math3-*' \
        -exec cp {} "$dist/cli/" \;
    # The CUDA module's tests and their jars (JUnit), for CudaGpuCheckMain and CudaBenchMain.
    (cd "$root" && mvn -q -B -f backend-cuda/pom.xml dependency:copy-dependencies -DincludeScope=test \
        -DexcludeArtifactIds=jcuda-natives -DoutputDirectory="$dist/cuda")
    cp "$root"/backend-cuda/target/backend-cuda-*.jar "$dist/cuda/"
    "$JAVA_HOME/bin/jar" --create --file "$dist/cuda/backend-cuda-tests.jar" -C "$root/backend-cuda/target/test-classes" .
    "$JAVA_HOME/bin/jar" --create --file "$dist/cli/backend-vulkan-tests.jar" -C "$root/backend-vulkan/target/test-classes" .
    # JUnit scans jars through the zip file system; JCuda and JUnit log through java.util.logging.
    local modules=java.base,java.logging,jdk.unsupported,jdk.zipfs,jdk.incubator.vector
    "$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
        --output "$dist/jdk"
    tar -C "$dist" -czf "$dist/jdk.tgz" jdk
    rm -rf "$dist/jdk"
    mkdir -p "$root/.gl"
    # The Vulkan loader, and the GL dispatch libraries that NVIDIA's Vulkan driver (libGLX_nvidia)
    # links against: without them vkCreateInstance fails with VK_ERROR_INCOMPATIBLE_DRIVER.
    local packages=(libvulkan1 libglvnd0 libglx0 libgl1 libegl1 libgles2 libopengl0)
    if [[ $(ls "$root"/.gl/*.deb 2>/dev/null | wc -l) -lt ${#packages[@]} ]]; then
        local lists=/tmp/nvidia-check-apt
        mkdir -p "$lists/partial"
        local o=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists="$lists")
        apt-get "${o[@]}" update >/dev/null
        (cd "$root/.gl" && apt-get "${o[@]}" download "${packages[@]}")
    fi
    echo "nvidia-check: prepared $(du -sh "$dist" | cut -f1) in .dist and $(du -sh "$root/.gl" | cut -f1) in .gl"
    echo "nvidia-check: on the GPU machine run tools/nvidia-check.sh run, carrying .dist and .gl"
}

# Runs one step under a time limit and records its exit status.
step() {
    local name="$1" limit="$2"
    shift 2
    echo "== $name (limit ${limit}s)"
    timeout --kill-after=10 "$limit" "$@"
    local rc=$?
    [[ $rc -eq 124 || $rc -eq 137 ]] && echo "nvidia-check: $name ran past ${limit}s and was stopped"
    echo "== $name: exit status $rc"
    [[ $rc -eq 0 ]] || failed+=("$name")
}

run() {
    [[ -f "$dist/jdk.tgz" ]] || { echo "nvidia-check: $dist/jdk.tgz is missing: run 'tools/nvidia-check.sh prepare' here first and carry .dist" >&2; exit 1; }
    local out="${OUT:-/tmp/nvidia-check}"
    mkdir -p "$out"
    exec > >(tee "$out/nvidia-check.log") 2>&1
    tar -C /tmp -xzf "$dist/jdk.tgz"
    local java=/tmp/jdk/bin/java
    # The Vulkan loader and GL dispatch libraries: NVIDIA's driver brings its ICD, not these.
    for f in "$root"/.gl/*.deb; do dpkg -x "$f" /; done
    ldconfig
    # The driver's ICD file may sit outside the loader's search path.
    local icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
    [[ -f "$icd" ]] && export VK_DRIVER_FILES="$icd"
    failed=()
    local vec=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED)
    local cli=("$java" "${vec[@]}" -Xss4m -Daccel.cuda.cache=/tmp/ptx-cache -cp "$dist/cli/*" dev.accel.cli.Main)
    echo "== machine"
    nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv 2>&1
    ldconfig -p | grep -E 'libcuda\.so\.1|libvulkan\.so\.1|libnvrtc|libcublas\.so' | head
    step "accel devices" 30 env VK_LOADER_DEBUG=error,warn "${cli[@]}" devices
    # The CUDA module: its tests (GPU ones required), its benchmark, PyTorch's reference.
    local cuda=("$java" "${vec[@]}" -Xss4m -Daccel.cuda.cache=/tmp/ptx-cache -cp "$dist/cuda/*")
    step "cuda tests" 150 bash -c "cd '$root/backend-cuda' && ACCEL_REQUIRE=cuda $(printf '%q ' "${cuda[@]}") dev.accel.backend.cuda.CudaGpuCheckMain"
    # GEMM sizes: n = 4096 for the issue's comparison with cuBLAS, 1024 for the one with Vulkan.
    local sizes="${GEMM_N:-4096,1024}"
    step "cuda benchmark" 120 "${cuda[@]}" dev.accel.backend.cuda.CudaBenchMain "$sizes" "${GEMM_REPS:-20}"
    if python3 -c "import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)" >/dev/null 2>&1; then
        step "pytorch reference" 40 python3 "$root/backend-cuda/src/build/torch_reference.py" "${sizes%%,*}" "${GEMM_REPS:-20}"
    else
        echo "PyTorch with CUDA is not installed here: no PyTorch reference measured"
    fi
    step "conformance cuda:0" 100 env ACCEL_REQUIRE=cuda "${cli[@]}" conformance --device cuda:0 --out "$out"
    step "conformance vulkan:0" 100 env ACCEL_REQUIRE=vulkan "${cli[@]}" conformance --device vulkan:0 --out "$out"
    # The device runner returns no file with ':' in its name: copy the reports to cuda_0.md etc., and
    # print the cases each device could not run, with the reasons.
    for f in "$out"/*:*; do
        [[ -e "$f" ]] && cp "$f" "${f//:/_}"
    done
    grep -H "unsupported: " "$out"/*_0.md 2>/dev/null | head -40
    step "vulkan bench" 40 "$java" "${vec[@]}" -cp "$dist/cli/*" dev.accel.backend.vulkan.VulkanBench 1024 10
    # The main job: discover every device, plan the demo models across them, run, print plan and timings.
    step "accel demo" 180 "${cli[@]}" demo
    echo "== nvidia-check: ${#failed[@]} step(s) failed${failed:+: ${failed[*]}}"
    [[ ${#failed[@]} -eq 0 ]]
}

case "${1:-}" in
    prepare) prepare ;;
    run) run ;;
    *) echo "usage: tools/nvidia-check.sh prepare|run" >&2; exit 2 ;;
esac
