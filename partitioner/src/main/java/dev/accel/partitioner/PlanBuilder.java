package dev.accel.partitioner;

import dev.accel.graph.Constant;
import dev.accel.graph.ConvGemmFusion;
import dev.accel.graph.Graph;
import dev.accel.graph.GraphBuilder;
import dev.accel.graph.KernelOp;
import dev.accel.graph.Node;
import dev.accel.hal.DType;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Support;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Cast;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.FusedConv;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Unary;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a search result into a {@link Plan}: replays the placement with recording on, builds the
 * graph as it will run (nodes in their precision, weights converted once, one conversion node per
 * value and dtype that needs one), the steps, transfers and conversions, the regions (kept acyclic)
 * and each node's explanation.
 *
 * <p>Fusion: a unit that is a Conv and the activation that alone reads its output, or a Conv, the
 * residual Add that alone reads it and the activation that alone reads the sum (groups
 * {@link ConvGemmFusion} marked), becomes one {@link FusedConv} node and one step, named as the
 * Conv and writing the activation's output, where its target runs that spec natively; elsewhere,
 * or with the system property {@value #FUSE_PROPERTY} set to {@code false}, they stay apart.
 */
final class PlanBuilder {
    static final String DEVICE = "placement.device";
    static final String PRECISION = "placement.precision";
    static final String REGION = "placement.region";
    /** On the extra nodes of a lowered (int8) form: the source node they belong to. */
    static final String PART_OF = "placement.part.of";
    /** On conversion nodes: the source value they convert. */
    static final String CONVERSION = "placement.conversion";
    /** On a fused node: the names of the source nodes it carries (its activation; the residual Add first where there is one). */
    static final String FUSED = "placement.fused";
    /** System property: {@code false} keeps every Conv and its activation apart (for A/B measurements). */
    static final String FUSE_PROPERTY = "accel.fuse";

    private final boolean fuse = !"false".equals(System.getProperty(FUSE_PROPERTY));

    private final Problem pb;
    private final Search.Result result;
    private final Set<String> taken = new HashSet<>();
    private final Map<Long, String> valueNames = new HashMap<>();
    private final Map<Long, String> constNames = new HashMap<>();
    private final Map<Long, String> conversionNodes = new HashMap<>();
    private final Map<Integer, List<String>> partNodes = new HashMap<>();
    /** Source nodes that run inside another node (a FusedConv's activation), by that node's name. */
    private final Map<String, String> fusedInto = new LinkedHashMap<>();
    /** Per unit, its FusedConv spec on the target and precision the search chose, or empty. */
    private final Map<Integer, Optional<OpSpec>> fusedSpecs = new HashMap<>();

    PlanBuilder(Problem pb, Search.Result result) {
        this.pb = pb;
        this.result = result;
        Graph g = pb.graph;
        taken.addAll(g.values().keySet());
        for (Node n : g.nodes()) {
            taken.add(n.name());
        }
    }

    Plan build() {
        Simulator sim = new Simulator(pb);
        sim.record();
        int[] assign = result.assign();
        sim.evaluate(assign);
        double estimate = sim.makespan();
        List<Simulator.Event> events = List.copyOf(sim.events());
        double[] memory = new double[pb.d];
        for (int t = 0; t < pb.d; t++) {
            memory[t] = sim.memory(t);
        }

        int[] nodeRegion = new int[pb.nodes.size()];
        List<Region> regions = Regions.form(pb, assign, nodeRegion);

        List<Step> steps = new ArrayList<>();
        List<Conversion> conversions = new ArrayList<>();
        List<Transfer> transfers = new ArrayList<>();
        Map<Long, String> readBy = new HashMap<>();
        Map<Long, Double> readSeconds = new HashMap<>();
        for (Simulator.Event e : events) {
            switch (e.kind()) {
                case Simulator.KERNEL -> kernelSteps(e, assign, steps);
                case Simulator.CONVERT, Simulator.CONVERT_SIDE -> {
                    String node = conversionNode(e.value(), e.form());
                    String dev = pb.targets[e.device()].id();
                    steps.add(new Step(Step.Kind.KERNEL, dev, node, null, e.kind() == Simulator.CONVERT_SIDE, e.start(), e.end()));
                    conversions.add(new Conversion(node, pb.valueName[e.value()], pb.dtype(e.value(), e.fromForm()),
                            pb.dtype(e.value(), e.form()), dev, e.end() - e.start()));
                }
                case Simulator.READ -> {
                    String v = valueName(e.value(), e.form());
                    String dev = pb.targets[e.device()].id();
                    steps.add(new Step(Step.Kind.READ, dev, null, v, true, e.start(), e.end()));
                    long key = key(e.value(), e.form());
                    readBy.put(key, dev);
                    readSeconds.put(key, e.end() - e.start());
                    if (e.form() == 0 && pb.outputNames.contains(pb.valueName[e.value()])) {
                        transfers.add(new Transfer(v, dev, Target.HOST, pb.valueBytes[e.value()][e.form()], e.end() - e.start()));
                    }
                }
                case Simulator.WRITE -> {
                    String v = valueName(e.value(), e.form());
                    String dev = pb.targets[e.device()].id();
                    steps.add(new Step(Step.Kind.WRITE, dev, null, v, false, e.start(), e.end()));
                    long key = key(e.value(), e.form());
                    String from = readBy.getOrDefault(key, Target.HOST);
                    transfers.add(new Transfer(v, from, dev, pb.valueBytes[e.value()][e.form()],
                            readSeconds.getOrDefault(key, 0.0) + e.end() - e.start()));
                }
                case Simulator.COPY_BY_SOURCE, Simulator.COPY_BY_DESTINATION -> {
                    String v = valueName(e.value(), e.form());
                    String dev = pb.targets[e.device()].id();
                    String peer = pb.targets[e.peer()].id();
                    boolean bySource = e.kind() == Simulator.COPY_BY_SOURCE;
                    steps.add(new Step(Step.Kind.COPY, dev, null, v, bySource, e.start(), e.end(), peer));
                    transfers.add(new Transfer(v, bySource ? dev : peer, bySource ? peer : dev, pb.valueBytes[e.value()][e.form()],
                            e.end() - e.start(), true));
                }
                default -> throw new IllegalStateException("event kind " + e.kind());
            }
        }
        java.util.function.Supplier<Graph> graph = () -> materialize(events, assign, nodeRegion);
        java.util.function.Supplier<List<NodePlacement>> placements = () -> Explanations.of(pb, result, assign, nodeRegion,
                estimate);
        Map<String, Long> mem = new LinkedHashMap<>();
        for (int t = 0; t < pb.d; t++) {
            mem.put(pb.targets[t].id(), (long) memory[t]);
        }
        return new Plan(pb, graph, regions, steps, conversions, transfers, placements, estimate, result, mem, fusedInto);
    }

    /** The graph as it runs, built from the recorded events (on first use of {@link Plan#graph()}). */
    private Graph materialize(List<Simulator.Event> events, int[] assign, int[] nodeRegion) {
        GraphBuilder b = new GraphBuilder(pb.graph.name());
        for (String in : pb.graph.inputs()) {
            b.input(in, pb.graph.type(in));
        }
        Set<String> addedConsts = new HashSet<>();
        for (Simulator.Event e : events) {
            if (e.kind() == Simulator.KERNEL) {
                kernelNodes(b, e, assign, nodeRegion, addedConsts);
            } else if (e.kind() == Simulator.CONVERT || e.kind() == Simulator.CONVERT_SIDE) {
                String in = valueName(e.value(), e.fromForm());
                String out = valueName(e.value(), e.form());
                String dev = pb.targets[e.device()].id();
                conversionNodeOf(b, e, in, out, dev, addedConsts);
            }
        }
        for (String o : pb.graph.outputs()) {
            if (pb.graph.constant(o) != null && addedConsts.add(o)) {
                b.constant(o, pb.graph.constant(o));
            }
        }
        b.setOutputs(pb.graph.outputs());
        return b.build();
    }

    private void kernelSteps(Simulator.Event e, int[] assign, List<Step> steps) {
        int u = e.unit();
        int o = assign[u];
        int t = pb.optTarget[u][o];
        Precision p = pb.optPrec[u][o];
        String dev = pb.targets[t].id();
        if (fusedSpec(u, t, p) != null) {
            String conv = pb.nodes.get(pb.unitNodes[u][0]).name();
            steps.add(new Step(Step.Kind.KERNEL, dev, conv, null, false, e.start(), e.end()));
            for (int x = 1; x < pb.unitNodes[u].length; x++) {
                fusedInto.put(pb.nodes.get(pb.unitNodes[u][x]).name(), conv);
            }
            return;
        }
        double total = 0;
        for (int i : pb.unitNodes[u]) {
            total += pb.seconds[i][t][p.ordinal()];
        }
        double at = e.start();
        int[] members = pb.unitNodes[u];
        for (int x = 0; x < members.length; x++) {
            int i = members[x];
            double share = total > 0 ? pb.seconds[i][t][p.ordinal()] / total : 1.0 / members.length;
            double end = x == members.length - 1 ? e.end() : at + share * (e.end() - e.start());
            List<String> names = nodeNames(i, pb.forms[i][p.ordinal()]);
            for (int j = 0; j < names.size(); j++) {
                double partEnd = j == names.size() - 1 ? end : at + (end - at) / (names.size() - j);
                steps.add(new Step(Step.Kind.KERNEL, dev, names.get(j), null, false, at, partEnd));
                at = partEnd;
            }
            at = end;
        }
    }

    private void kernelNodes(GraphBuilder b, Simulator.Event e, int[] assign, int[] nodeRegion, Set<String> addedConsts) {
        int u = e.unit();
        int o = assign[u];
        int t = pb.optTarget[u][o];
        Precision p = pb.optPrec[u][o];
        String dev = pb.targets[t].id();
        OpSpec fusedSpec = fusedSpec(u, t, p);
        if (fusedSpec != null) {
            int[] members = pb.unitNodes[u];
            int conv = members[0];
            int act = members[members.length - 1];
            Node n = pb.nodes.get(conv);
            Map<String, String> ann = placed(n, dev, p, nodeRegion[conv]);
            List<String> absorbed = new ArrayList<>();
            for (int x = 1; x < members.length; x++) {
                absorbed.add(pb.nodes.get(members[x]).name());
            }
            ann.put(FUSED, String.join(",", absorbed));
            List<String> in = inputNames(b, n, pb.forms[conv][p.ordinal()], addedConsts);
            if (members.length == 3) {
                // The residual: the Add's other input, in the form the Add reads it.
                Node add = pb.nodes.get(members[1]);
                int other = add.inputs().get(0).equals(n.outputs().get(0)) ? 1 : 0;
                in.add(valueName(pb.valueIndex.get(add.inputs().get(other)), pb.forms[members[1]][p.ordinal()].inputForms()[other]));
            }
            b.node(new Node(n.name(), new KernelOp(fusedSpec.op()), in, outputNames(pb.nodes.get(act), pb.forms[act][p.ordinal()]),
                    ann));
            return;
        }
        for (int i : pb.unitNodes[u]) {
            Node n = pb.nodes.get(i);
            NodeForms.Form f = pb.forms[i][p.ordinal()];
            Map<String, String> ann = placed(n, dev, p, nodeRegion[i]);
            if (!f.parts().isEmpty()) {
                partNodesOf(b, n, i, f, ann, addedConsts);
                continue;
            }
            b.node(new Node(n.name(), new KernelOp(f.spec().op()), inputNames(b, n, f, addedConsts), outputNames(n, f), ann));
        }
    }

    /** Node n's annotations with where it runs: device, precision and region. */
    private static Map<String, String> placed(Node n, String dev, Precision p, int region) {
        Map<String, String> ann = new LinkedHashMap<>(n.annotations());
        ann.put(DEVICE, dev);
        ann.put(PRECISION, p.label());
        ann.put(REGION, String.valueOf(region));
        return ann;
    }

    /** The plan graph's names of node n's inputs in form f, its constants (converted to the form) added on first use. */
    private List<String> inputNames(GraphBuilder b, Node n, NodeForms.Form f, Set<String> addedConsts) {
        OpSpec spec = f.spec();
        List<String> in = new ArrayList<>();
        for (int s = 0; s < spec.inputs().size(); s++) {
            String v = n.inputs().get(s);
            int k = f.inputForms()[s];
            Integer c = pb.constIndex.get(v);
            if (c != null) {
                String name = constName(c, k);
                if (addedConsts.add(name)) {
                    b.constant(name, constant(c, k, spec.inputs().get(s)));
                }
                in.add(name);
            } else {
                in.add(valueName(pb.valueIndex.get(v), k));
            }
        }
        return in;
    }

    /** The plan graph's names of node n's outputs in form f. */
    private List<String> outputNames(Node n, NodeForms.Form f) {
        List<String> out = new ArrayList<>();
        for (int j = 0; j < n.outputs().size(); j++) {
            out.add(valueName(pb.valueIndex.get(n.outputs().get(j)), f.outputForms()[j]));
        }
        return out;
    }

    /** {@link #fused}, decided once per unit: the steps and the plan graph ask for the same units. */
    private OpSpec fusedSpec(int u, int t, Precision p) {
        return fusedSpecs.computeIfAbsent(u, x -> Optional.ofNullable(fused(u, t, p))).orElse(null);
    }

    /**
     * The {@link FusedConv} spec unit u runs as on target t in precision p, or null when it stays as
     * it is: the unit must be exactly a float Conv and the activation {@link ConvGemmFusion} marked
     * after it (with the residual Add it marked between them, whose other input is no constant),
     * each the only reader of the one before (whose output is no graph output: a caller may have
     * added outputs after the pass), all in forms of one kernel each, each reading the one before
     * in the form it is written, and the target must run the fused spec natively.
     */
    private OpSpec fused(int u, int t, Precision p) {
        int[] members = pb.unitNodes[u];
        if (!fuse || members.length < 2 || members.length > 3) {
            return null;
        }
        boolean residual = members.length == 3;
        Node conv = pb.nodes.get(members[0]);
        Node act = pb.nodes.get(members[members.length - 1]);
        NodeForms.Form cf = pb.forms[members[0]][p.ordinal()];
        NodeForms.Form af = pb.forms[members[members.length - 1]][p.ordinal()];
        if (!act.name().equals(conv.annotations().get(ConvGemmFusion.ACTIVATION)) || cf == null || af == null
                || !(cf.spec().op() instanceof Conv2d c) || !(af.spec().op() instanceof Unary a)
                || !FusedConv.ACTIVATIONS.contains(a.kind())) {
            return null;
        }
        List<TensorType> inputs = new ArrayList<>(cf.spec().inputs());
        if (residual) {
            Node add = pb.nodes.get(members[1]);
            NodeForms.Form sf = pb.forms[members[1]][p.ordinal()];
            if (!add.name().equals(conv.annotations().get(ConvGemmFusion.RESIDUAL)) || sf == null || add.inputs().size() != 2) {
                return null;
            }
            int slot = add.inputs().indexOf(conv.outputs().get(0));
            if (!soleLink(conv, cf, add, sf, slot) || !soleLink(add, sf, act, af, 0)
                    || pb.constIndex.containsKey(add.inputs().get(1 - slot))) {
                return null;
            }
            inputs.add(sf.spec().inputs().get(1 - slot));
        } else if (!soleLink(conv, cf, act, af, 0)) {
            return null;
        }
        OpSpec spec;
        try {
            spec = new OpSpec(new FusedConv(c, a, residual), inputs, af.spec().outputs());
        } catch (InvalidArgumentException e) {
            return null;
        }
        return pb.targets[t].capabilities().support(spec).level() == Support.Level.NATIVE ? spec : null;
    }

    /**
     * Whether {@code to} is still the only reader of {@code from}'s one output, which is no graph output,
     * reads it at input {@code slot} in the form {@code from} writes it, and both run as one kernel each.
     */
    private boolean soleLink(Node from, NodeForms.Form ff, Node to, NodeForms.Form tf, int slot) {
        if (ff == null || tf == null || !ff.parts().isEmpty() || !tf.parts().isEmpty() || from.outputs().size() != 1) {
            return false;
        }
        String v = from.outputs().get(0);
        return !pb.graph.outputs().contains(v) && pb.graph.consumers(v).size() == 1 && slot >= 0 && slot < to.inputs().size()
                && to.inputs().get(slot).equals(v) && to.inputs().stream().filter(v::equals).count() == 1
                && ff.outputForms()[0] == tf.inputForms()[slot];
    }

    /** The plan graph's node names for source node {@code i} in form {@code f}: its own, or one per part. */
    private List<String> nodeNames(int i, NodeForms.Form f) {
        String name = pb.nodes.get(i).name();
        if (f.parts().isEmpty()) {
            return List.of(name);
        }
        return partNodes.computeIfAbsent(i, x -> f.parts().stream().map(part -> part.suffix() == null ? name
                : fresh(name + "~" + part.suffix())).toList());
    }

    /** Adds the nodes of a lowered form: its parts, with their derived constants and intermediate values. */
    private void partNodesOf(GraphBuilder b, Node n, int i, NodeForms.Form f, Map<String, String> ann, Set<String> addedConsts) {
        List<String> names = nodeNames(i, f);
        List<String> results = new ArrayList<>();
        List<NodeForms.Part> parts = f.parts();
        for (int j = 0; j < parts.size(); j++) {
            NodeForms.Part part = parts.get(j);
            List<String> in = new ArrayList<>();
            for (NodeForms.Arg a : part.args()) {
                in.add(switch (a) {
                    case NodeForms.In x -> valueName(pb.valueIndex.get(n.inputs().get(x.index())), f.inputForms()[x.index()]);
                    case NodeForms.Prev x -> results.get(x.part());
                    case NodeForms.Derived x -> {
                        String c = fresh(n.name() + "~" + x.suffix());
                        addedConsts.add(c);
                        b.constant(c, x.value().get());
                        yield c;
                    }
                });
            }
            String out = j == parts.size() - 1 ? valueName(pb.valueIndex.get(n.outputs().get(0)), f.outputForms()[0])
                    : fresh(names.get(j) + (part.suffix() == null ? "~out" : ""));
            results.add(out);
            Map<String, String> a = new LinkedHashMap<>(ann);
            if (!names.get(j).equals(n.name())) {
                a.put(PART_OF, n.name());
            }
            b.node(new Node(names.get(j), new KernelOp(part.spec().op()), in, List.of(out), a));
        }
    }

    /** Adds the conversion node of event {@code e}: a Cast between floats, else QuantizeLinear or DequantizeLinear. */
    private void conversionNodeOf(GraphBuilder b, Simulator.Event e, String in, String out, String dev, Set<String> addedConsts) {
        int v = e.value();
        String name = conversionNode(v, e.form());
        Map<String, String> ann = Map.of(DEVICE, dev, CONVERSION, pb.valueName[v]);
        DType to = pb.dtype(v, e.form());
        if (e.form() != NodeForms.QUANT && e.fromForm() != NodeForms.QUANT) {
            b.node(new Node(name, new KernelOp(new Cast(to)), List.of(in), List.of(out), ann));
            return;
        }
        QuantParams.Entry q = pb.quantOf(v);
        // Keys 5 and 6 (forms are 0 to 2) keep a value's parameter constants apart from converted weights.
        String scale = constNames.computeIfAbsent(key(v, 5), x -> fresh(pb.valueName[v] + "~scale"));
        String zp = constNames.computeIfAbsent(key(v, 6), x -> fresh(pb.valueName[v] + "~zero_point"));
        if (addedConsts.add(scale)) {
            b.constant(scale, Int8Forms.scaleConstant(q));
            b.constant(zp, Int8Forms.zeroPointConstant(q));
        }
        TensorType from = pb.valueType[v].withDType(pb.dtype(v, e.fromForm()));
        OpSpec spec = Problem.conversionSpec(from, to);
        b.node(new Node(name, new KernelOp(spec.op()), List.of(in, scale, zp), List.of(out), ann));
    }

    private String conversionNode(int v, int form) {
        return conversionNodes.computeIfAbsent(key(v, form), x -> fresh("convert~" + valueName(v, form)));
    }

    private Constant constant(int c, int k, TensorType as) {
        Constant src = pb.graph.constant(pb.constName[c]);
        if (src.type().equals(as)) {
            return src;
        }
        if (src.isSplat()) {
            return Constant.splat(as, src.splatValue());
        }
        return Constant.build(as, t -> {
            long n = as.numel();
            for (long i = 0; i < n; i++) {
                t.setDouble(i, src.getDouble(i));
            }
        });
    }

    private static long key(int v, int k) {
        return ((long) v << 3) | k;
    }

    private String valueName(int v, int k) {
        if (k == 0) {
            return pb.valueName[v];
        }
        return valueNames.computeIfAbsent(key(v, k), x -> fresh(pb.valueName[v] + suffix(k)));
    }

    private String constName(int c, int k) {
        if (k == 0 || pb.graph.type(pb.constName[c]).dtype() != DType.F32) {
            return pb.constName[c];
        }
        return constNames.computeIfAbsent(key(c, k), x -> fresh(pb.constName[c] + suffix(k)));
    }

    private static String suffix(int k) {
        return k == NodeForms.HALF ? "~f16" : "~q8";
    }

    private String fresh(String base) {
        String n = base;
        int i = 1;
        while (!taken.add(n)) {
            n = base + "~" + (i++);
        }
        return n;
    }
}
