package dev.accel.benchmarks;

import dev.accel.graph.Constant;
import dev.accel.graph.Graph;
import dev.accel.graph.GraphBuilder;
import dev.accel.hal.Capabilities;
import dev.accel.hal.DType;
import dev.accel.hal.DeviceKind;
import dev.accel.hal.DeviceProfile;
import dev.accel.hal.Support;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Softmax;
import dev.accel.hal.op.Unary;
import dev.accel.partitioner.Partitioner;
import dev.accel.partitioner.Plan;
import dev.accel.partitioner.Precision;
import dev.accel.partitioner.Preferences;
import dev.accel.partitioner.Target;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Planning time of large graphs (issue 9's scale goal: a 10,000-node graph planned in at most 200
 * ms). The graph is a stack of residual blocks, each {@code MatMul, Relu, MatMul, Add, Mul, Sigmoid,
 * Softmax, Add} (8 nodes) over {@code [256, 512]} activations, so the search meets long chains, skip
 * connections and ops only some devices run. Three devices with declared profiles and capabilities
 * only (no kernels run): a CPU that runs everything in float32, a GPU that runs everything but
 * Softmax in float32 and float16, and an NPU that runs MatMul, Relu, Add and Mul in float16 only,
 * with figures that make the GPU and the NPU close on MatMul (the NPU computes faster, the GPU
 * dispatches sooner). Float16 is allowed, so the planner also chooses precisions and conversions.
 * One plan call per operation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class PlanningBenchmark {
    /** Nodes in the graph (a multiple of the block's 8). */
    @Param({"10000"})
    public int nodes;

    private Graph graph;
    private List<Target> targets;
    private Preferences preferences;
    private Partitioner partitioner;

    @Setup(Level.Trial)
    public void setup() {
        graph = residualStack(nodes / BLOCK, 256, 512);
        targets = devices();
        preferences = Preferences.builder().precision(Precision.FP16).build();
        partitioner = new Partitioner();
    }

    @Benchmark
    public Plan plan() {
        return partitioner.plan(graph, targets, preferences);
    }

    static final int BLOCK = 8;

    /** {@code blocks} residual blocks of {@link #BLOCK} nodes over {@code [rows, width]}. */
    static Graph residualStack(int blocks, int rows, int width) {
        GraphBuilder b = new GraphBuilder("residual-stack-" + blocks * BLOCK);
        String x = b.input("x", DType.F32, rows, width);
        TensorType w = TensorType.of(DType.F32, width, width);
        for (int i = 0; i < blocks; i++) {
            String h = b.op(new MatMul(), x, b.constantNamed("w", Constant.splat(w, 0.01)));
            h = b.op(Unary.of(Unary.Kind.RELU), h);
            h = b.op(new MatMul(), h, b.constantNamed("w", Constant.splat(w, 0.01)));
            String r = b.op(new Binary(Binary.Kind.ADD), h, x);
            String gate = b.op(Unary.of(Unary.Kind.SIGMOID), r);
            String g = b.op(new Binary(Binary.Kind.MUL), r, gate);
            String s = b.op(new Softmax(-1), g);
            x = b.op(new Binary(Binary.Kind.ADD), s, r);
        }
        b.output(x);
        return b.build();
    }

    static List<Target> devices() {
        return List.of(
                new Target("cpu:0", DeviceKind.CPU, new Rule(null, Set.of(DType.F32), Set.of(DType.F16)),
                        profile(400e9, 0, 60e9, 1e-6, 60e9, 0.2e-6), 16L << 30, true),
                new Target("gpu:0", DeviceKind.GPU, new Rule(Set.of("MatMul", "Relu", "Add", "Mul", "Sigmoid", "Cast"),
                        Set.of(DType.F32, DType.F16), Set.of()), profile(5e12, 10e12, 500e9, 10e-6, 25e9, 8e-6), 16L << 30, false),
                new Target("npu:0", DeviceKind.NPU, new Rule(Set.of("MatMul", "Relu", "Add", "Mul", "Cast"), Set.of(DType.F16),
                        Set.of()), profile(0, 10e12, 100e9, 30e-6, 8e9, 10e-6), 1L << 30, false));
    }

    private static DeviceProfile profile(double f32, double f16, double bandwidth, double dispatch, double link, double linkLatency) {
        Map<DType, Double> peak = new EnumMap<>(DType.class);
        if (f32 > 0) {
            peak.put(DType.F32, f32);
        }
        if (f16 > 0) {
            peak.put(DType.F16, f16);
        }
        return new DeviceProfile(peak, bandwidth, dispatch, link, linkLatency, false);
    }

    /** Capabilities by rule: ops outside {@code ops} (null: all) unsupported; else the first input's dtype decides. */
    private record Rule(Set<String> ops, Set<DType> nativeTypes, Set<DType> emulatedTypes) implements Capabilities {
        @Override
        public Support support(OpSpec spec) {
            if (ops != null && !ops.contains(spec.op().name())) {
                return Support.unsupported("this device has no " + spec.op().name());
            }
            for (TensorType t : spec.inputs()) {
                if (!nativeTypes.contains(t.dtype()) && !emulatedTypes.contains(t.dtype())) {
                    return Support.unsupported("no " + t.dtype().displayName() + " arithmetic");
                }
            }
            for (TensorType t : spec.outputs()) {
                if (!nativeTypes.contains(t.dtype()) && !emulatedTypes.contains(t.dtype())) {
                    return Support.unsupported("no " + t.dtype().displayName() + " results");
                }
            }
            return emulatedTypes.contains(spec.inputs().get(0).dtype())
                    ? Support.emulated(spec.inputs().get(0).dtype().displayName() + " computed in float32") : Support.nativeSupport();
        }
    }
}
