"""PyTorch stand-in for cuBLAS and for a plain copy, for gpu-check.sh: prints what it measures.

GEMM: torch.matmul at n x n x n in float32 (TF32 off, so cuBLAS SGEMM) and float16, mean over reps
after warm-up, timed with CUDA events. Copies: pinned host <-> device of 256 MiB, median of 10.
"""
import sys

import torch

n = int(sys.argv[1]) if len(sys.argv) > 1 else 4096
reps = int(sys.argv[2]) if len(sys.argv) > 2 else 20
torch.backends.cuda.matmul.allow_tf32 = False
dev = torch.device("cuda:0")
print(f"PyTorch {torch.__version__}, CUDA {torch.version.cuda}, {torch.cuda.get_device_name(0)}")

for dtype in (torch.float32, torch.float16):
    a = torch.rand(n, n, device=dev, dtype=dtype) * 2 - 1
    b = torch.rand(n, n, device=dev, dtype=dtype) * 2 - 1
    for _ in range(3):
        torch.matmul(a, b)
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(reps):
        torch.matmul(a, b)
    end.record()
    end.synchronize()
    seconds = start.elapsed_time(end) / 1e3 / reps
    print(f"PyTorch matmul {dtype} n={n}: {2 * n ** 3 / seconds / 1e9:.1f} GFLOP/s (mean of {reps})")

size = 256 << 20
host = torch.empty(size, dtype=torch.uint8).pin_memory()
gpu = torch.empty(size, dtype=torch.uint8, device=dev)
for name, copy in (("host -> device", lambda: gpu.copy_(host, non_blocking=True)),
                   ("device -> host", lambda: host.copy_(gpu, non_blocking=True))):
    times = []
    for i in range(11):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        copy()
        end.record()
        end.synchronize()
        if i > 0:
            times.append(start.elapsed_time(end) / 1e3)
    times.sort()
    print(f"PyTorch pinned copy {name}, 256 MiB: {size / times[len(times) // 2] / 1e9:.2f} GB/s (median of 10)")
