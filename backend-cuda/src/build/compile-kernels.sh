#!/usr/bin/env bash
# Compiles every CUDA kernel source of backend-cuda into a fat binary with nvcc, at build time.
#
#   compile-kernels.sh SOURCE_DIR OUTPUT_DIR
#
# Each SOURCE_DIR/<name>.cu becomes OUTPUT_DIR/<name>.fatbin holding SASS for sm_80 and sm_90
# (which the driver runs as is on every 8.x and 9.x GPU) and PTX for compute_90 (which the
# driver compiles just in time for newer GPUs); a source whose name ends in 90 (Hopper-only
# instructions) holds SASS for sm_90a alone. The backend loads these first and falls back to
# NVRTC at run time when they do not fit the GPU or the driver (see README.md).
#
# Without nvcc on the PATH (or at $CUDA_HOME/bin/nvcc) this prints why and exits 0: the jar then
# carries no fat binaries and the backend compiles every kernel with NVRTC on first use.
# Outputs newer than every source and header are kept, so repeated builds cost nothing.
set -euo pipefail

src="${1:?usage: compile-kernels.sh SOURCE_DIR OUTPUT_DIR}"
out="${2:?usage: compile-kernels.sh SOURCE_DIR OUTPUT_DIR}"

nvcc="$(command -v nvcc || true)"
if [[ -z "$nvcc" && -n "${CUDA_HOME:-}" && -x "$CUDA_HOME/bin/nvcc" ]]; then
    nvcc="$CUDA_HOME/bin/nvcc"
fi
if [[ -z "$nvcc" ]]; then
    echo "[backend-cuda] nvcc not found on the PATH: the jar carries no prebuilt kernels;" \
         "the backend will compile them with NVRTC at run time (install the CUDA toolkit to prebuild them)."
    exit 0
fi

mkdir -p "$out"
headers=("$src"/*.cuh)
todo=()
for cu in "$src"/*.cu; do
    name="$(basename "$cu" .cu)"
    target="$out/$name.fatbin"
    stale=false
    if [[ ! -f "$target" || "$cu" -nt "$target" ]]; then
        stale=true
    else
        for h in "${headers[@]}"; do
            [[ "$h" -nt "$target" ]] && stale=true
        done
    fi
    $stale && todo+=("$cu")
done

if [[ ${#todo[@]} -eq 0 ]]; then
    echo "[backend-cuda] prebuilt kernels are up to date in $out"
    exit 0
fi

echo "[backend-cuda] compiling ${#todo[@]} kernel sources with $("$nvcc" --version | tail -n 2 | head -n 1)"
jobs="$(nproc 2>/dev/null || echo 2)"
printf '%s\n' "${todo[@]}" | xargs -P "$jobs" -I{} bash -c '
    cu="$1"; out="$2"; src="$3"; nvcc="$4"
    name="$(basename "$cu" .cu)"
    if [[ "$name" == *90 ]]; then
        # Hopper-only kernels (wgmma): SASS for sm_90a, which runs on compute capability 9.0 alone.
        targets=(-gencode arch=compute_90a,code=sm_90a)
    else
        targets=(-gencode arch=compute_80,code=sm_80 -gencode arch=compute_90,code=sm_90 -gencode arch=compute_90,code=compute_90)
    fi
    if ! "$nvcc" -fatbin -std=c++17 -I "$src" "${targets[@]}" -o "$out/$name.fatbin.tmp" "$cu"; then
        rm -f "$out/$name.fatbin.tmp"
        if [[ "$name" == *90 ]]; then
            # nvcc before 12.0 has no sm_90a: the backend compiles this module with NVRTC on a 9.0 GPU.
            echo "[backend-cuda] $name.cu needs nvcc 12.0 or newer (sm_90a): left to NVRTC at run time"
            exit 0
        fi
        exit 1
    fi
    mv "$out/$name.fatbin.tmp" "$out/$name.fatbin"
' _ {} "$out" "$src" "$nvcc"
echo "[backend-cuda] prebuilt kernels written to $out"
