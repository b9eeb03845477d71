// Times tile and pipeline variants of the tensor-core GEMM (hgemm.cu) against cuBLAS, for tuning on
// a GPU machine (nvcc and the driver; no JDK needed). Not part of the build; run it as
//
//   nvcc -O3 -gencode arch=compute_90a,code=sm_90a -I backend-cuda/src/main/resources/dev/accel/backend/cuda/kernels \
//        backend-cuda/src/build/hgemm_probe.cu -ldl -o /tmp/hgemm_probe && /tmp/hgemm_probe [n] [reps]
//
// cuBLAS is opened at run time (libcublas.so.13, else .12), so that building needs no cuBLAS headers.
//
// Each variant runs n x n x n in F16 (row-major A and B, float accumulation) on the same random
// inputs; its result is checked against cuBLAS (largest difference relative to the largest |y|),
// and its time is the median of `reps` runs timed with CUDA events.
#include <cuda_runtime.h>
#include <dlfcn.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "hgemm.cu"
#include "hgemm90.cu"

#define CHECK(x)                                                                            \
    do {                                                                                    \
        cudaError_t e = (x);                                                                \
        if (e != cudaSuccess) {                                                             \
            std::fprintf(stderr, "%s:%d %s: %s\n", __FILE__, __LINE__, #x, cudaGetErrorString(e)); \
            std::exit(1);                                                                   \
        }                                                                                   \
    } while (0)

template <int BN, int STAGES, int MINB, bool VEC>
__global__ void __launch_bounds__(256, MINB) probe_kernel(const GemmArgs a) {
    hgemm_impl<F16T, false, false, false, BN, STAGES, VEC>(a);
}

template <int BN, int STAGES>
__global__ void __launch_bounds__(256, 1) wgmma_kernel(const GemmArgs a) {
    hgemm90_impl<F16T, false, BN, STAGES>(a);
}

static float half_to_float(u16 h) {
    int s = (h >> 15) & 1, e = (h >> 10) & 31, m = h & 1023;
    float v = e == 0 ? std::ldexp((float) m, -24) : std::ldexp((float) (m | 1024), e - 25);
    return s ? -v : v;
}

static u16 float_to_half(float f) {  // inputs lie in [-1, 1]: normal or zero, truncated
    if (f == 0.f) return 0;
    int e;
    float m = std::frexp(std::fabs(f), &e);  // f = m * 2^e, m in [0.5, 1)
    int he = e - 1 + 15;
    if (he <= 0) return (u16) (f < 0 ? 0x8000 : 0);
    int hm = (int) ((m * 2.f - 1.f) * 1024.f);
    return (u16) ((f < 0 ? 0x8000 : 0) | (he << 10) | hm);
}

struct Variant {
    const char* name;
    void (*kernel)(const GemmArgs);
    int bn;
    int smem;
};

static int shared_bytes(int bn, int stages) {
    return stages * (HG_SA + hg_sb(bn)) * 2;
}

int main(int argc, char** argv) {
    int n = argc > 1 ? std::atoi(argv[1]) : 4096;
    int reps = argc > 2 ? std::atoi(argv[2]) : 20;
    size_t count = (size_t) n * n;
    std::vector<u16> h(count);
    srand(1);
    for (size_t i = 0; i < count; i++) h[i] = float_to_half((float) rand() / RAND_MAX * 2.f - 1.f);
    u16 *a, *b, *y, *ref;
    CHECK(cudaMalloc(&a, count * 2));
    CHECK(cudaMalloc(&b, count * 2));
    CHECK(cudaMalloc(&y, count * 2));
    CHECK(cudaMalloc(&ref, count * 2));
    CHECK(cudaMemcpy(a, h.data(), count * 2, cudaMemcpyHostToDevice));
    for (size_t i = 0; i < count; i++) h[i] = float_to_half((float) rand() / RAND_MAX * 2.f - 1.f);
    CHECK(cudaMemcpy(b, h.data(), count * 2, cudaMemcpyHostToDevice));

    cudaEvent_t e0, e1;
    CHECK(cudaEventCreate(&e0));
    CHECK(cudaEventCreate(&e1));
    auto median_ms = [&](auto&& run) {
        for (int i = 0; i < 3; i++) run();
        std::vector<float> t;
        for (int i = 0; i < reps; i++) {
            CHECK(cudaEventRecord(e0));
            run();
            CHECK(cudaEventRecord(e1));
            CHECK(cudaEventSynchronize(e1));
            float ms;
            CHECK(cudaEventElapsedTime(&ms, e0, e1));
            t.push_back(ms);
        }
        std::sort(t.begin(), t.end());
        return t[t.size() / 2];
    };
    double flop = 2.0 * n * (double) n * n;

    void* lib = dlopen("libcublas.so.13", RTLD_NOW);
    if (lib == nullptr) lib = dlopen("libcublas.so.12", RTLD_NOW);
    if (lib == nullptr) {
        std::fprintf(stderr, "cuBLAS (libcublas.so.13 or .12) not found\n");
        return 1;
    }
    // cublasCreate_v2, cublasDestroy_v2 and cublasGemmEx, with their enums as ints: OP_N 0,
    // R_16F 2, COMPUTE_32F 68, GEMM_DEFAULT -1.
    typedef int (*Create)(void**);
    typedef int (*Destroy)(void*);
    typedef int (*GemmEx)(void*, int, int, int, int, int, const void*, const void*, int, int, const void*, int, int,
                          const void*, void*, int, int, int, int);
    Create create = (Create) dlsym(lib, "cublasCreate_v2");
    Destroy destroy = (Destroy) dlsym(lib, "cublasDestroy_v2");
    GemmEx gemm_ex = (GemmEx) dlsym(lib, "cublasGemmEx");
    void* handle;
    if (create(&handle) != 0) {
        std::fprintf(stderr, "cublasCreate failed\n");
        return 1;
    }
    float one = 1.f, zero = 0.f;
    auto blas = [&] { gemm_ex(handle, 0, 0, n, n, n, &one, b, 2, n, a, 2, n, &zero, ref, 2, n, 68, -1); };
    float blas_ms = median_ms(blas);
    CHECK(cudaDeviceSynchronize());
    std::printf("cuBLAS GemmEx f16 n=%d: %.1f TFLOP/s (median of %d)\n", n, flop / blas_ms / 1e9, reps);
    std::vector<u16> want(count), got(count);
    CHECK(cudaMemcpy(want.data(), ref, count * 2, cudaMemcpyDeviceToHost));

    GemmArgs p;
    std::memset(&p, 0, sizeof p);
    p.a = a;
    p.b = b;
    p.y = y;
    p.sam = n;
    p.sak = 1;
    p.sbk = n;
    p.sbn = 1;
    p.sym = n;
    p.batch = 1;
    p.M = p.N = p.K = n;
    p.alpha = 1.f;
    p.vecA = p.vecB = 1;

    Variant variants[] = {
        {"mma.sync 128x128, 4 stages (hgemm _v)", probe_kernel<128, 4, 1, true>, 128, shared_bytes(128, 4)},
        {"wgmma 128x128x64, 4 stages", wgmma_kernel<128, 4>, 128, h9_shared_bytes(128, 4)},
        {"wgmma 128x128x64, 5 stages (hgemm90)", wgmma_kernel<128, 5>, 128, h9_shared_bytes(128, 5)},
    };
    for (const Variant& v : variants) {
        int smem = v.smem;
        CHECK(cudaFuncSetAttribute(v.kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, smem));
        cudaFuncAttributes attr;
        CHECK(cudaFuncGetAttributes(&attr, v.kernel));
        int blocks = 0;
        CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, v.kernel, 256, smem));
        dim3 grid((n + v.bn - 1) / v.bn, (n + 127) / 128, 1);
        CHECK(cudaMemset(y, 0xff, count * 2));
        v.kernel<<<grid, 256, smem>>>(p);
        CHECK(cudaGetLastError());
        CHECK(cudaDeviceSynchronize());
        CHECK(cudaMemcpy(got.data(), y, count * 2, cudaMemcpyDeviceToHost));
        double worst = 0, scale = 0;
        for (size_t i = 0; i < count; i++) {
            double w = half_to_float(want[i]), g = half_to_float(got[i]);
            scale = std::max(scale, std::fabs(w));
            double d = std::fabs(w - g);
            if (!(d <= worst)) worst = d;  // NaN (an unwritten 0xffff) wins
        }
        float ms = median_ms([&] { v.kernel<<<grid, 256, smem>>>(p); });
        std::printf("%-40s %3d regs, %6d B shared, %d blocks/SM: %7.1f TFLOP/s = %.2f x cuBLAS; max |diff| / max |y| = %.2e\n",
                    v.name, attr.numRegs, smem, blocks, flop / ms / 1e9, blas_ms / ms, worst / scale);
    }
    destroy(handle);
    return 0;
}
