package dev.accel.partitioner;

import dev.accel.graph.Analysis;
import dev.accel.graph.ConvGemmFusion;
import dev.accel.graph.Graph;
import dev.accel.graph.Node;
import dev.accel.graph.NodeCost;
import dev.accel.hal.DType;
import dev.accel.hal.DeviceKind;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Support;
import dev.accel.hal.TensorType;
import dev.accel.hal.UnsupportedOpException;
import dev.accel.hal.op.Cast;
import dev.accel.hal.op.OpSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A placement problem compiled to arrays: the targets allowed, the units to place (single nodes,
 * or fusion groups that stay together), each unit's options (target and precision) with their
 * costs, inputs, outputs and constants, and the values with their sizes per form. Built once per
 * plan; read by {@link Simulator}, {@link Search} and {@link PlanBuilder}. Not thread-safe for
 * writing, immutable once built except for the conversion-cost cache.
 */
final class Problem {
    static final int K = NodeForms.FORMS;
    static final double INF = Double.POSITIVE_INFINITY;

    final Graph graph;
    final List<Target> allTargets;
    final Target[] targets;
    final int d;
    /**
     * Per target, the compute timeline its kernels queue on in the simulation: its own, except that
     * every CPU-kind target shares the first one's. A CPU-type OpenCL or Vulkan driver (PoCL,
     * lavapipe) runs on the same cores as the CPU backend, so a branch placed there does not run
     * beside the CPU's work; counting it as if it did sent ResNet-50's shortcut convolutions to PoCL
     * (uncalibrated profiles), and {@code accel run} took 65-84 ms instead of 32-36 ms on the CPU alone.
     */
    final int[] timeline;
    final int host;
    final Preferences prefs;
    final CostModel cost;
    final double[] budget;

    final List<Node> nodes;
    final Map<String, Integer> nodeIndex = new HashMap<>();
    final NodeCost[] nodeCost;
    /** [node][precision ordinal]: the form, or null. */
    final NodeForms.Form[][] forms;
    /** [node][precision ordinal]: why there is no form, where null. */
    final String[][] noForm;
    /** [node][target][precision ordinal]: support of the form on an allowed target, or null. */
    final Support[][][] support;
    /** [node][target][precision ordinal]: kernel seconds, NaN when not runnable. */
    final double[][][] seconds;
    /** Per node, the target index it is pinned to, or -1. */
    final int[] pinned;

    final int units;
    final int[][] unitNodes;
    final int[] unitOf;
    final int[][] optTarget;
    final Precision[][] optPrec;
    final double[][] optCost;
    final int[][][] optInV;
    final int[][][] optInK;
    final int[][][] optOutV;
    final int[][][] optOutK;
    final int[][][] optConst;
    final int[][][] optConstK;
    final long[][] optWorkingSet;
    final int[][] unitPreds;
    final int[][] unitSuccs;
    /** The order units are placed and queued in: topological, longest remaining path (cheapest costs) first. */
    final int[] order;
    /** The position of each unit in {@link #order}. */
    final int[] position;

    final int values;
    final String[] valueName;
    final TensorType[] valueType;
    final long[][] valueBytes;
    final int[] producer;
    final Map<String, Integer> valueIndex = new HashMap<>();
    final int[] graphOutputs;
    /** Names of the graph's outputs, for fast membership tests. */
    final java.util.Set<String> outputNames;

    final int constants;
    final String[] constName;
    final long[][] constBytes;
    final Map<String, Integer> constIndex = new HashMap<>();
    /** The parameters each value is quantized with ({@link Int8Forms#effective}), or null when int8 is not allowed or has none. */
    final Map<String, QuantParams.Entry> quant;

    private final Map<List<Object>, double[]>[][] convCache;
    private final double[] convSeconds;
    private final double[] readSeconds;
    private final double[] writeSeconds;
    /** [(v * K + k) * d * d + from * d + to]: seconds of a direct crossing, NaN where the pair crosses through the host. */
    private final double[] directSeconds;
    /** Per node, per input: the value index, or -1 - constant index. */
    private int[][] inputRefs;
    /** Per node, per output: the value index. */
    private int[][] outputRefs;
    /** Per value, the indices of the nodes reading it. */
    private int[][] consumerNodes;

    @SuppressWarnings("unchecked")
    Problem(Graph g, List<Target> targetList, Preferences prefs, CostModel cost) {
        if (!g.isResolved()) {
            throw new InvalidArgumentException("graph '" + g.name() + "' is not resolved, so it cannot be placed: "
                    + g.unresolved() + "; run Passes.resolve (or Passes.optimize) with its symbols bound first");
        }
        if (targetList.isEmpty()) {
            throw new InvalidArgumentException("no targets to place graph '" + g.name() + "' on");
        }
        Map<String, Target> seen = new LinkedHashMap<>();
        for (Target t : targetList) {
            if (seen.put(t.id(), t) != null) {
                throw new InvalidArgumentException("two targets share the id '" + t.id() + "'; each device must appear once");
            }
        }
        this.graph = g;
        this.allTargets = List.copyOf(targetList);
        this.prefs = prefs;
        this.cost = cost;
        List<Target> active = new ArrayList<>();
        for (Target t : targetList) {
            if (!prefs.isForbidden(t)) {
                active.add(t);
            }
        }
        if (active.isEmpty()) {
            throw new InvalidArgumentException("every device is forbidden by the preferences " + prefs.forbidden()
                    + "; devices: " + seen.keySet());
        }
        active.sort(java.util.Comparator.comparingInt(prefs::rank));
        this.targets = active.toArray(Target[]::new);
        this.d = targets.length;
        this.host = d;
        this.timeline = new int[d];
        int firstCpu = -1;
        for (int t = 0; t < d; t++) {
            boolean cpu = targets[t].kind() == DeviceKind.CPU;
            if (cpu && firstCpu < 0) {
                firstCpu = t;
            }
            timeline[t] = cpu ? firstCpu : t;
        }
        this.budget = Constraints.budgets(this);

        this.nodes = g.nodes();
        this.outputNames = java.util.Set.copyOf(g.outputs());
        int n = nodes.size();
        for (int i = 0; i < n; i++) {
            nodeIndex.put(nodes.get(i).name(), i);
        }
        this.pinned = Constraints.pins(this);
        this.quant = prefs.precision().allows(Precision.INT8) && prefs.quantization() != null
                ? Int8Forms.effective(g, prefs.quantization()) : null;
        this.nodeCost = new NodeCost[n];
        int p = Precision.values().length;
        this.forms = new NodeForms.Form[n][p];
        this.noForm = new String[n][p];
        this.support = new Support[n][d][p];
        this.seconds = new double[n][d][p];
        for (int i = 0; i < n; i++) {
            claim(i);
        }

        // Values: graph inputs and node outputs.
        List<String> names = new ArrayList<>();
        for (String in : g.inputs()) {
            names.add(in);
        }
        for (Node nd : nodes) {
            names.addAll(nd.outputs());
        }
        this.values = names.size();
        this.valueName = names.toArray(String[]::new);
        this.valueType = new TensorType[values];
        this.valueBytes = new long[values][K];
        this.producer = new int[values];
        for (int v = 0; v < values; v++) {
            valueIndex.put(valueName[v], v);
            TensorType t = g.type(valueName[v]).toTensorType();
            valueType[v] = t;
            valueBytes[v][NodeForms.SOURCE] = t.byteSize();
            valueBytes[v][NodeForms.HALF] = t.dtype() == DType.F32 ? t.numel() * 2 : -1;
            valueBytes[v][NodeForms.QUANT] = t.dtype().isFloat() && quant != null && quant.containsKey(valueName[v]) ? t.numel() : -1;
        }
        List<String> consts = new ArrayList<>();
        for (var v : g.constants()) {
            consts.add(v.name());
        }
        this.constants = consts.size();
        this.constName = consts.toArray(String[]::new);
        this.constBytes = new long[constants][K];
        for (int c = 0; c < constants; c++) {
            constIndex.put(constName[c], c);
            TensorType t = g.type(constName[c]).toTensorType();
            constBytes[c][NodeForms.SOURCE] = t.byteSize();
            constBytes[c][NodeForms.HALF] = t.dtype() == DType.F32 ? t.numel() * 2 : t.byteSize();
            constBytes[c][NodeForms.QUANT] = t.dtype().isFloat() ? t.numel() : t.byteSize();
        }

        // Units: fusion groups stay on one option, where they have one; a group none of whose options
        // runs every member (a residual Add the device pinned for its Conv lacks) runs as single nodes.
        Map<String, List<Integer>> splitGroups = new HashMap<>();
        for (int i = 0; i < n; i++) {
            String group = nodes.get(i).annotations().get(ConvGemmFusion.GROUP);
            if (group != null) {
                splitGroups.computeIfAbsent(group, x -> new ArrayList<>()).add(i);
            }
        }
        splitGroups.values().removeIf(this::shareAnOption);
        this.unitOf = new int[n];
        Arrays.fill(unitOf, -1);
        List<int[]> unitList = new ArrayList<>();
        Map<String, Integer> groupUnit = new HashMap<>();
        for (int i = 0; i < n; i++) {
            String group = nodes.get(i).annotations().get(ConvGemmFusion.GROUP);
            if (group != null && splitGroups.containsKey(group)) {
                group = null;
            }
            Integer u = group == null ? null : groupUnit.get(group);
            if (u == null) {
                u = unitList.size();
                unitList.add(new int[] {i});
                if (group != null) {
                    groupUnit.put(group, u);
                }
            } else {
                int[] old = unitList.get(u);
                int[] grown = Arrays.copyOf(old, old.length + 1);
                grown[old.length] = i;
                unitList.set(u, grown);
            }
            unitOf[i] = u;
        }
        this.units = unitList.size();
        this.unitNodes = unitList.toArray(int[][]::new);
        Arrays.fill(producer, -1);
        for (int u = 0; u < units; u++) {
            for (int i : unitNodes[u]) {
                for (String o : nodes.get(i).outputs()) {
                    producer[valueIndex.get(o)] = u;
                }
            }
        }
        List<Integer> outs = new ArrayList<>();
        for (String o : g.outputs()) {
            Integer v = valueIndex.get(o);
            if (v != null && !outs.contains(v)) {
                outs.add(v);
            }
        }
        this.graphOutputs = outs.stream().mapToInt(Integer::intValue).toArray();

        refs();
        this.optTarget = new int[units][];
        this.optPrec = new Precision[units][];
        this.optCost = new double[units][];
        this.optInV = new int[units][][];
        this.optInK = new int[units][][];
        this.optOutV = new int[units][][];
        this.optOutK = new int[units][][];
        this.optConst = new int[units][][];
        this.optConstK = new int[units][][];
        this.optWorkingSet = new long[units][];
        for (int u = 0; u < units; u++) {
            options(u);
        }
        this.unitPreds = new int[units][];
        this.unitSuccs = new int[units][];
        links();
        this.order = new int[units];
        this.position = new int[units];
        Constraints.priorityOrder(this);
        this.convSeconds = new double[values * K * K * d];
        java.util.Arrays.fill(convSeconds, Double.NaN);
        this.readSeconds = new double[values * K * d];
        this.writeSeconds = new double[values * K * d];
        for (int v = 0; v < values; v++) {
            for (int k = 0; k < K; k++) {
                for (int t = 0; t < d; t++) {
                    long bytes = Math.max(0, valueBytes[v][k]);
                    readSeconds[(v * K + k) * d + t] = cost.readSeconds(targets[t], bytes);
                    writeSeconds[(v * K + k) * d + t] = cost.writeSeconds(targets[t], bytes);
                }
            }
        }
        this.directSeconds = new double[values * K * d * d];
        Arrays.fill(directSeconds, Double.NaN);
        for (int a = 0; a < d; a++) {
            for (int b = 0; b < d; b++) {
                if (a == b || !targets[a].hostAddressable() && !targets[b].hostAddressable()) {
                    continue;
                }
                for (int v = 0; v < values; v++) {
                    for (int k = 0; k < K; k++) {
                        directSeconds[(v * K + k) * d * d + a * d + b] = cost.directSeconds(targets[a], targets[b],
                                Math.max(0, valueBytes[v][k]));
                    }
                }
            }
        }
        this.convCache = new Map[K][K];
        for (int a = 0; a < K; a++) {
            for (int b = 0; b < K; b++) {
                convCache[a][b] = new HashMap<>();
            }
        }
    }

    private void refs() {
        int n = nodes.size();
        inputRefs = new int[n][];
        outputRefs = new int[n][];
        int[] count = new int[values];
        for (int i = 0; i < n; i++) {
            Node nd = nodes.get(i);
            int[] r = new int[nd.inputs().size()];
            for (int x = 0; x < r.length; x++) {
                String in = nd.inputs().get(x);
                Integer c = in.isEmpty() ? null : constIndex.get(in);
                if (c != null) {
                    r[x] = -1 - c;
                } else {
                    Integer v = in.isEmpty() ? null : valueIndex.get(in);
                    r[x] = v == null ? Integer.MIN_VALUE : v;
                    if (v != null) {
                        count[v]++;
                    }
                }
            }
            inputRefs[i] = r;
            int[] o = new int[nd.outputs().size()];
            for (int j = 0; j < o.length; j++) {
                o[j] = valueIndex.get(nd.outputs().get(j));
            }
            outputRefs[i] = o;
        }
        consumerNodes = new int[values][];
        for (int v = 0; v < values; v++) {
            consumerNodes[v] = new int[count[v]];
            count[v] = 0;
        }
        for (int i = 0; i < n; i++) {
            for (int r : inputRefs[i]) {
                if (r >= 0 && (count[r] == 0 || consumerNodes[r][count[r] - 1] != i)) {
                    consumerNodes[r][count[r]++] = i;
                }
            }
        }
        for (int v = 0; v < values; v++) {
            if (count[v] < consumerNodes[v].length) {
                consumerNodes[v] = java.util.Arrays.copyOf(consumerNodes[v], count[v]);
            }
        }
    }



    private void claim(int i) {
        Node nd = nodes.get(i);
        nodeCost[i] = Analysis.cost(graph, nd);
        OpSpec spec = graph.spec(nd);
        for (Precision p : Precision.values()) {
            NodeForms.Form f = null;
            String[] why = new String[1];
            if (!prefs.precision().allows(p)) {
                why[0] = "precision " + p.label() + " is not allowed";
            } else if (p == Precision.FP32) {
                f = NodeForms.source(spec);
            } else if (p == Precision.FP16) {
                f = NodeForms.half(spec, why);
            } else if (quant == null) {
                why[0] = "no quantization parameters: int8 needs them from a QDQ model (QuantParams.fromQdq) or a "
                        + "calibration set (QuantParams.calibrate), given with Preferences.Builder.quantization";
            } else {
                f = Int8Forms.of(graph, nd, spec, quant, why);
            }
            forms[i][p.ordinal()] = f;
            noForm[i][p.ordinal()] = why[0];
            for (int t = 0; t < d; t++) {
                seconds[i][t][p.ordinal()] = Double.NaN;
                if (f == null) {
                    continue;
                }
                Support s = NodeForms.support(f, targets[t].capabilities());
                support[i][t][p.ordinal()] = s;
                if (s.runnable()) {
                    seconds[i][t][p.ordinal()] = formSeconds(f, nodeCost[i].flops(), targets[t]);
                }
            }
        }
    }

    /** The kernel seconds of a runnable form: its main kernel carries the node's FLOPs; views cost nothing. */
    private double formSeconds(NodeForms.Form f, long flops, Target target) {
        double sum = 0;
        for (OpSpec s : f.specs()) {
            if (!NodeForms.isView(s.op())) {
                Support sup = target.capabilities().support(s);
                sum += cost.kernelSeconds(s, s == f.spec() ? flops : 0, target, sup);
            }
        }
        return sum;
    }

    /** Whether some target, in an allowed precision, runs every one of {@code members} and honours all their pins. */
    private boolean shareAnOption(List<Integer> members) {
        for (int t = 0; t < d; t++) {
            int target = t;
            if (members.stream().anyMatch(i -> pinned[i] >= 0 && pinned[i] != target)) {
                continue;
            }
            for (Precision p : Precision.values()) {
                if (prefs.precision().allows(p) && members.stream().allMatch(i -> !Double.isNaN(seconds[i][target][p.ordinal()]))) {
                    return true;
                }
            }
        }
        return false;
    }

    private void options(int u) {
        int[] members = unitNodes[u];
        int pin = -1;
        for (int i : members) {
            if (pinned[i] >= 0) {
                if (pin >= 0 && pin != pinned[i]) {
                    throw new InvalidArgumentException("pin: nodes " + Constraints.names(this, members) + " are fused and must share a device, but are "
                            + "pinned to " + targets[pin].id() + " and " + targets[pinned[i]].id());
                }
                pin = pinned[i];
            }
        }
        List<int[]> opts = new ArrayList<>();
        for (int t = 0; t < d; t++) {
            if (pin >= 0 && t != pin) {
                continue;
            }
            for (Precision p : Precision.values()) {
                if (!prefs.precision().allows(p)) {
                    continue;
                }
                boolean ok = true;
                for (int i : members) {
                    ok &= !Double.isNaN(seconds[i][t][p.ordinal()]);
                }
                ok = ok && internalFormsAgree(u, p);
                if (ok) {
                    opts.add(new int[] {t, p.ordinal()});
                }
            }
        }
        if (opts.isEmpty()) {
            throw new UnsupportedOpException(Constraints.noOptionMessage(this, members, pin));
        }
        int m = opts.size();
        optTarget[u] = new int[m];
        optPrec[u] = new Precision[m];
        optCost[u] = new double[m];
        optInV[u] = new int[m][];
        optInK[u] = new int[m][];
        optOutV[u] = new int[m][];
        optOutK[u] = new int[m][];
        optConst[u] = new int[m][];
        optConstK[u] = new int[m][];
        optWorkingSet[u] = new long[m];
        int[] buf = new int[64];
        for (int o = 0; o < m; o++) {
            int t = opts.get(o)[0];
            Precision p = Precision.values()[opts.get(o)[1]];
            optTarget[u][o] = t;
            optPrec[u][o] = p;
            int nIn = 0;
            int nOut = 0;
            int nConst = 0;
            int[] inV = buf.clone();
            int[] inK = buf.clone();
            int[] outV = buf.clone();
            int[] outK = buf.clone();
            int[] cV = buf.clone();
            int[] cK = buf.clone();
            double sum = 0;
            long ws = 0;
            for (int i : members) {
                NodeForms.Form f = forms[i][p.ordinal()];
                sum += seconds[i][t][p.ordinal()];
                long nodeWs = 0;
                int[] refs = inputRefs[i];
                for (int x = 0; x < f.inputForms().length; x++) {
                    int ref = refs[x];
                    int k = f.inputForms()[x];
                    nodeWs += Math.max(0, ref < 0 ? constBytes[-ref - 1][k] : valueBytes[ref][k]);
                    if (ref < 0) {
                        if (!contains(cV, cK, nConst, -ref - 1, k)) {
                            cV = grow(cV, nConst);
                            cK = grow(cK, nConst);
                            cV[nConst] = -ref - 1;
                            cK[nConst++] = k;
                        }
                    } else if (producer[ref] != u && !contains(inV, inK, nIn, ref, k)) {
                        inV = grow(inV, nIn);
                        inK = grow(inK, nIn);
                        inV[nIn] = ref;
                        inK[nIn++] = k;
                    }
                }
                int[] outs = outputRefs[i];
                for (int j = 0; j < outs.length; j++) {
                    nodeWs += Math.max(0, valueBytes[outs[j]][f.outputForms()[j]]);
                    if (leaves(outs[j], u)) {
                        outV = grow(outV, nOut);
                        outK = grow(outK, nOut);
                        outV[nOut] = outs[j];
                        outK[nOut++] = f.outputForms()[j];
                    }
                }
                ws = Math.max(ws, nodeWs);
            }
            optCost[u][o] = sum;
            optWorkingSet[u][o] = ws;
            optInV[u][o] = java.util.Arrays.copyOf(inV, nIn);
            optInK[u][o] = java.util.Arrays.copyOf(inK, nIn);
            optOutV[u][o] = java.util.Arrays.copyOf(outV, nOut);
            optOutK[u][o] = java.util.Arrays.copyOf(outK, nOut);
            optConst[u][o] = java.util.Arrays.copyOf(cV, nConst);
            optConstK[u][o] = java.util.Arrays.copyOf(cK, nConst);
        }
    }

    /** True when, inside unit {@code u} in precision {@code p}, every member reads a member's value in the form it is written. */
    private boolean internalFormsAgree(int u, Precision p) {
        int[] members = unitNodes[u];
        if (members.length == 1) {
            return true;
        }
        Map<Integer, Integer> written = new HashMap<>();
        for (int i : members) {
            NodeForms.Form f = forms[i][p.ordinal()];
            for (int x = 0; x < f.inputForms().length; x++) {
                Integer w = inputRefs[i][x] >= 0 ? written.get(inputRefs[i][x]) : null;
                if (w != null && w != f.inputForms()[x]) {
                    return false;
                }
            }
            for (int j = 0; j < outputRefs[i].length; j++) {
                written.put(outputRefs[i][j], f.outputForms()[j]);
            }
        }
        return true;
    }

    private static boolean contains(int[] v, int[] k, int n, int x, int kx) {
        for (int i = 0; i < n; i++) {
            if (v[i] == x && k[i] == kx) {
                return true;
            }
        }
        return false;
    }

    private static int[] grow(int[] a, int n) {
        return n < a.length ? a : java.util.Arrays.copyOf(a, a.length * 2);
    }

    /** True when value {@code v}, produced in unit {@code u}, is read outside it or is a graph output. */
    private boolean leaves(int v, int u) {
        if (outputNames.contains(valueName[v])) {
            return true;
        }
        for (int c : consumerNodes[v]) {
            if (unitOf[c] != u) {
                return true;
            }
        }
        return false;
    }



    private void links() {
        List<List<Integer>> preds = new ArrayList<>();
        List<List<Integer>> succs = new ArrayList<>();
        for (int u = 0; u < units; u++) {
            preds.add(new ArrayList<>());
            succs.add(new ArrayList<>());
        }
        for (int u = 0; u < units; u++) {
            for (int v : optInV[u][0]) {
                int p = producer[v];
                if (p >= 0 && p != u && !preds.get(u).contains(p)) {
                    preds.get(u).add(p);
                    succs.get(p).add(u);
                }
            }
        }
        for (int u = 0; u < units; u++) {
            for (int p : preds.get(u)) {
                if (p > u) {
                    throw new IllegalStateException("unit " + u + " reads unit " + p + ", which comes later: fusion groups "
                            + "of graph '" + graph.name() + "' are not in topological order");
                }
            }
            unitPreds[u] = preds.get(u).stream().mapToInt(Integer::intValue).toArray();
            unitSuccs[u] = succs.get(u).stream().mapToInt(Integer::intValue).toArray();
        }
    }


    /** The dtype of value {@code v} in form {@code k}. */
    DType dtype(int v, int k) {
        return NodeForms.dtypeOf(valueType[v].dtype(), k, k == NodeForms.QUANT && quant != null && quant.containsKey(valueName[v])
                ? quant.get(valueName[v]).dtype() : DType.U8);
    }

    /** The parameters value {@code v} is quantized with, or null. */
    QuantParams.Entry quantOf(int v) {
        return quant == null ? null : quant.get(valueName[v]);
    }

    /** Seconds to convert value {@code v} from form {@code a} to {@code b} on target {@code t}; infinite when it cannot. */
    double convertSeconds(int v, int a, int b, int t) {
        int i = ((v * K + a) * K + b) * d + t;
        double c = convSeconds[i];
        if (Double.isNaN(c)) {
            c = convertSecondsUncached(v, a, b, t);
            convSeconds[i] = c;
        }
        return c;
    }

    private double convertSecondsUncached(int v, int a, int b, int t) {
        TensorType from = valueType[v].withDType(dtype(v, a));
        DType to = dtype(v, b);
        // The key carries the target dtype too: values quantized to int8 and to uint8 share a source type.
        List<Object> key = List.of(from, to);
        double[] c = convCache[a][b].get(key);
        if (c == null) {
            c = new double[d];
            OpSpec spec = conversionSpec(from, to);
            for (int x = 0; x < d; x++) {
                Support s = spec == null ? null : targets[x].capabilities().support(spec);
                c[x] = s != null && s.runnable() ? cost.kernelSeconds(spec, 0, targets[x], s) : INF;
            }
            convCache[a][b].put(key, c);
        }
        return c[t];
    }

    /** The Cast, QuantizeLinear or DequantizeLinear spec converting {@code from} to {@code to}, or null when none does in one kernel. */
    static OpSpec conversionSpec(TensorType from, DType to) {
        if (from.dtype().isFloat() && to.isFloat()) {
            return OpSpec.of(new Cast(to), from);
        }
        return Int8Forms.conversionSpec(from, to, from.dtype().isQuantized() ? from.dtype() : to);
    }

    /** Read seconds of value {@code v} in form {@code k} from target {@code t}. */
    double readSeconds(int v, int k, int t) {
        return readSeconds[(v * K + k) * d + t];
    }

    /** Write seconds of value {@code v} in form {@code k} into target {@code t}. */
    double writeSeconds(int v, int k, int t) {
        return writeSeconds[(v * K + k) * d + t];
    }

    /**
     * True when a value crosses from target {@code from} to target {@code to} directly, with one copy:
     * when either side's buffers are host-addressable ({@link Target#hostAddressable()}).
     */
    boolean direct(int from, int to) {
        return from != to && from != host && to != host && (targets[from].hostAddressable() || targets[to].hostAddressable());
    }

    /**
     * True when a direct crossing into {@code to} is made by the source's transfer queue reading into
     * {@code to}'s memory; false when {@code to}'s compute queue writes from the source's memory. Reading
     * into the destination is preferred: it waits on fences only (a write may consume its host memory at
     * the call, so the submitting thread would have to wait for the source's data first), and it keeps
     * the destination's compute queue free, as a read into host memory does.
     */
    boolean directByReader(int to) {
        return targets[to].hostAddressable();
    }

    /** Seconds of the direct crossing of value {@code v} in form {@code k} from {@code from} to {@code to}. */
    double directSeconds(int v, int k, int from, int to) {
        return directSeconds[(v * K + k) * d * d + from * d + to];
    }

    /** The option of unit {@code u} on target {@code t} in precision {@code p}, or -1. */
    int option(int u, int t, Precision p) {
        for (int o = 0; o < optTarget[u].length; o++) {
            if (optTarget[u][o] == t && optPrec[u][o] == p) {
                return o;
            }
        }
        return -1;
    }

    /** The cheapest option of unit {@code u} on target {@code t}, or -1. */
    int cheapestOn(int u, int t) {
        int best = -1;
        for (int o = 0; o < optTarget[u].length; o++) {
            if (optTarget[u][o] == t && (best < 0 || optCost[u][o] < optCost[u][best])) {
                best = o;
            }
        }
        return best;
    }
}
