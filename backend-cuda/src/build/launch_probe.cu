// Launch-to-completion of an empty kernel from C++, the floor for CudaMeasurements.launchLatency
// (which does the same from Java through JCuda). Not part of the build; on a GPU machine:
//
//   nvcc -O2 -o /tmp/launch_probe backend-cuda/src/build/launch_probe.cu && /tmp/launch_probe [runs]
//
// Prints the median over `runs` (after 100 untimed) of: launch + event record + cudaEventQuery
// until done; launch + cudaStreamSynchronize; launch + event record + cudaEventSynchronize.
#include <cuda_runtime.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

__global__ void empty() {}

#define CHECK(x)                                                                        \
    do {                                                                                \
        cudaError_t err_ = (x);                                                         \
        if (err_ != cudaSuccess) {                                                      \
            std::fprintf(stderr, "%s: %s\n", #x, cudaGetErrorString(err_));             \
            std::exit(1);                                                               \
        }                                                                               \
    } while (0)

template <class F>
static double median_us(int runs, F&& once) {
    std::vector<double> t;
    for (int i = -100; i < runs; i++) {
        auto t0 = std::chrono::steady_clock::now();
        once();
        auto t1 = std::chrono::steady_clock::now();
        if (i >= 0) t.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

int main(int argc, char** argv) {
    int runs = argc > 1 ? std::atoi(argv[1]) : 2000;
    cudaStream_t s;
    CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
    cudaEvent_t e;
    CHECK(cudaEventCreateWithFlags(&e, cudaEventDisableTiming));
    double polled = median_us(runs, [&] {
        empty<<<1, 1, 0, s>>>();
        CHECK(cudaEventRecord(e, s));
        while (cudaEventQuery(e) == cudaErrorNotReady) {
        }
    });
    double streamSync = median_us(runs, [&] {
        empty<<<1, 1, 0, s>>>();
        CHECK(cudaStreamSynchronize(s));
    });
    double eventSync = median_us(runs, [&] {
        empty<<<1, 1, 0, s>>>();
        CHECK(cudaEventRecord(e, s));
        CHECK(cudaEventSynchronize(e));
    });
    std::printf("C++ empty kernel launch to completion, median of %d: event + query %.1f us, stream synchronize %.1f us, "
                "event synchronize %.1f us\n", runs, polled, streamSync, eventSync);
    return 0;
}
