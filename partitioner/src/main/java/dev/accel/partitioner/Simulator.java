package dev.accel.partitioner;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Estimates the end-to-end latency of a placement by simulating what the runtime will do, in the
 * same order: units in topological order, each on its target's compute queue (in order), after
 * its inputs are there in the forms it reads. A value crossing to another target crosses once per
 * value, form and destination. Where {@link Problem#direct} allows, it is one copy: read by the
 * source's transfer queue straight into the destination's memory, or, when only the source's
 * memory is host-addressable, written by the destination's compute queue straight from the
 * source's. Otherwise it is read into host memory on its source's transfer queue (once per value
 * and form, however many targets need it) and written on each destination's compute queue before
 * the first reader there. A value needed
 * in another form is converted once, on the target where the conversion is cheapest counting the
 * transfers around it, and the converted copy is shared: on the reader's own compute queue when
 * the reader is there, else on the transfer queue, before the read. Graph inputs start in host memory; graph
 * outputs end there, in their source form. The estimate is the time the last queue goes idle.
 *
 * <p>Every change is logged, so {@link #mark()} and {@link #rollback(int)} undo placements: the
 * branch and bound and the greedy search try options and take them back. Not thread-safe.
 */
final class Simulator {
    static final int KERNEL = 0;
    static final int CONVERT = 1;
    static final int READ = 2;
    static final int WRITE = 3;
    static final int CONVERT_SIDE = 4;
    /** A direct crossing made by the source's transfer queue, reading into the destination's memory. */
    static final int COPY_BY_SOURCE = 5;
    /** A direct crossing made by the destination's compute queue, writing from the source's memory. */
    static final int COPY_BY_DESTINATION = 6;

    /**
     * One simulated piece of work, recorded when {@link #record} is on. {@code device} is the target
     * whose queue runs it; {@code peer} is, for a direct crossing, the other target (the destination
     * when the source's transfer queue reads, the source when the destination's compute queue
     * writes), else -1.
     */
    record Event(int kind, int unit, int option, int value, int fromForm, int form, int device, double start, double end,
                 int peer) {
        Event(int kind, int unit, int option, int value, int fromForm, int form, int device, double start, double end) {
            this(kind, unit, option, value, fromForm, form, device, start, end, -1);
        }
    }

    private static final int L_AVAIL = 0;
    private static final int L_HOME = 1;
    private static final int L_DEV = 2;
    private static final int L_LINK = 3;
    private static final int L_CONST = 4;
    private static final int L_MEM = 5;
    private static final int L_WS = 6;
    private static final int L_FINISH = 7;
    private static final int L_PROD = 8;
    private static final int L_CONV = 9;
    /** Relative penalty per conversion: breaks exact ties toward fewer conversions, changes nothing else. */
    private static final double CONVERSION_TIE_BREAK = 1e-9;

    private final Problem pb;
    private final int d;
    private final int host;
    private final int k;
    final double[] devFree;
    final double[] linkFree;
    final double[] unitFinish;
    private final double[] avail;
    private final int[] home;
    private final int[] prodForm;
    private final int[] constUse;
    private final double[] devMem;
    private final double[] workingSet;
    private int conversions;
    private double makespan;
    private boolean logging = true;
    private int[] logKind = new int[256];
    private int[] logIdx = new int[256];
    private double[] logOld = new double[256];
    private int top;
    private List<Event> events;

    Simulator(Problem pb) {
        this.pb = pb;
        this.d = pb.d;
        this.host = pb.host;
        this.k = Problem.K;
        this.devFree = new double[d];
        this.linkFree = new double[d];
        this.unitFinish = new double[pb.units];
        this.avail = new double[pb.values * (d + 1) * k];
        this.home = new int[pb.values * k];
        this.prodForm = new int[pb.values];
        this.constUse = new int[pb.constants * d * k];
        this.devMem = new double[d];
        this.workingSet = new double[d];
        reset();
    }

    /** Forgets every placement; graph inputs are in host memory at time 0. */
    void reset() {
        Arrays.fill(devFree, 0);
        Arrays.fill(linkFree, 0);
        Arrays.fill(unitFinish, Double.NaN);
        Arrays.fill(avail, Double.NaN);
        Arrays.fill(home, -1);
        Arrays.fill(prodForm, -1);
        Arrays.fill(constUse, 0);
        Arrays.fill(devMem, 0);
        Arrays.fill(workingSet, 0);
        conversions = 0;
        top = 0;
        for (int v = 0; v < pb.values; v++) {
            if (pb.producer[v] < 0) {
                home[v * k] = host;
                prodForm[v] = 0;
                avail[idx(v, host, 0)] = 0;
            }
        }
        if (events != null) {
            events.clear();
        }
    }

    /** Starts recording events (cleared by {@link #reset()}). */
    void record() {
        events = new ArrayList<>();
    }

    List<Event> events() {
        return events;
    }

    int mark() {
        return top;
    }

    void rollback(int mark) {
        while (top > mark) {
            top--;
            int i = logIdx[top];
            double old = logOld[top];
            switch (logKind[top]) {
                case L_AVAIL -> avail[i] = old;
                case L_HOME -> home[i] = (int) old;
                case L_DEV -> devFree[i] = old;
                case L_LINK -> linkFree[i] = old;
                case L_CONST -> constUse[i] = (int) old;
                case L_MEM -> devMem[i] = old;
                case L_WS -> workingSet[i] = old;
                case L_FINISH -> unitFinish[i] = old;
                case L_PROD -> prodForm[i] = (int) old;
                case L_CONV -> conversions = (int) old;
                default -> throw new IllegalStateException("log kind " + logKind[top]);
            }
        }
    }

    private void log(int kind, int i, double old) {
        if (!logging) {
            return;
        }
        if (top == logKind.length) {
            logKind = Arrays.copyOf(logKind, top * 2);
            logIdx = Arrays.copyOf(logIdx, top * 2);
            logOld = Arrays.copyOf(logOld, top * 2);
        }
        logKind[top] = kind;
        logIdx[top] = i;
        logOld[top] = old;
        top++;
    }

    private int idx(int v, int dev, int form) {
        return (v * (d + 1) + dev) * k + form;
    }

    private void setAvail(int v, int dev, int form, double t) {
        int i = idx(v, dev, form);
        log(L_AVAIL, i, avail[i]);
        avail[i] = t;
    }

    private void setHome(int v, int form, int dev) {
        int i = v * k + form;
        log(L_HOME, i, home[i]);
        home[i] = dev;
    }

    /** When target {@code t}'s compute timeline (shared by CPU-kind targets, {@link Problem#timeline}) is next free. */
    private double devFree(int t) {
        return devFree[pb.timeline[t]];
    }

    private void setDev(int t, double v) {
        int c = pb.timeline[t];
        log(L_DEV, c, devFree[c]);
        devFree[c] = v;
    }

    private void setLink(int t, double v) {
        log(L_LINK, t, linkFree[t]);
        linkFree[t] = v;
    }

    /**
     * Places unit {@code u} with option {@code o} after everything placed so far.
     *
     * @return its finish time, or infinity when an input cannot reach it in the form it needs or
     *     the target's memory budget is exceeded (the state is changed either way: roll back)
     */
    double place(int u, int o) {
        int t = pb.optTarget[u][o];
        double ready = 0;
        int[] inV = pb.optInV[u][o];
        int[] inK = pb.optInK[u][o];
        for (int i = 0; i < inV.length; i++) {
            double a = avail(inV[i], t, inK[i]);
            if (a == Problem.INF) {
                return Problem.INF;
            }
            ready = Math.max(ready, a);
        }
        double start = Math.max(devFree(t), ready);
        double end = start + pb.optCost[u][o];
        setDev(t, end);
        int[] outV = pb.optOutV[u][o];
        int[] outK = pb.optOutK[u][o];
        for (int i = 0; i < outV.length; i++) {
            setAvail(outV[i], t, outK[i], end);
            setHome(outV[i], outK[i], t);
            log(L_PROD, outV[i], prodForm[outV[i]]);
            prodForm[outV[i]] = outK[i];
        }
        log(L_FINISH, u, unitFinish[u]);
        unitFinish[u] = end;
        int[] cs = pb.optConst[u][o];
        int[] ck = pb.optConstK[u][o];
        for (int i = 0; i < cs.length; i++) {
            int ci = (cs[i] * d + t) * k + ck[i];
            log(L_CONST, ci, constUse[ci]);
            if (constUse[ci]++ == 0) {
                log(L_MEM, t, devMem[t]);
                devMem[t] += pb.constBytes[cs[i]][ck[i]];
            }
        }
        if (pb.optWorkingSet[u][o] > workingSet[t]) {
            log(L_WS, t, workingSet[t]);
            workingSet[t] = pb.optWorkingSet[u][o];
        }
        if (events != null) {
            events.add(new Event(KERNEL, u, o, -1, -1, -1, t, start, end));
        }
        return devMem[t] + workingSet[t] > pb.budget[t] ? Problem.INF : end;
    }

    /**
     * Brings every graph output to host memory in its source form; returns the objective: the
     * estimate (the time the last queue goes idle, {@link #makespan()}) with exact ties broken
     * toward fewer conversions.
     */
    double finish() {
        double m = 0;
        for (int v : pb.graphOutputs) {
            double a = avail(v, host, 0);
            if (a == Problem.INF) {
                return Problem.INF;
            }
            m = Math.max(m, a);
        }
        for (int t = 0; t < d; t++) {
            m = Math.max(m, Math.max(devFree[t], linkFree[t]));
        }
        makespan = m;
        return m * (1 + CONVERSION_TIE_BREAK * conversions);
    }

    /** The estimate of the last {@link #finish()}, seconds. */
    double makespan() {
        return makespan;
    }

    /** Bytes of constants and the largest working set planned on target {@code t} so far. */
    double memory(int t) {
        return devMem[t] + workingSet[t];
    }

    /** When value {@code v} is ready in form {@code form} on {@code dev} (the host is {@code d}), scheduling what it takes. */
    double avail(int v, int dev, int form) {
        int i = idx(v, dev, form);
        double a = avail[i];
        if (!Double.isNaN(a)) {
            return a;
        }
        if (pb.valueBytes[v][form] < 0) {
            return Problem.INF;
        }
        int h = home[v * k + form];
        if (h < 0) {
            int from = prodForm[v];
            if (from < 0) {
                throw new IllegalStateException("value " + pb.valueName[v] + " is read before it is produced");
            }
            int r = converter(v, from, form, dev);
            if (r < 0) {
                return Problem.INF;
            }
            double ta = avail(v, r, from);
            if (ta == Problem.INF) {
                return Problem.INF;
            }
            // A conversion for this device's own reader runs on its compute queue, in order with the reader; one
            // whose result leaves the device runs on its transfer queue with the read, so it delays no compute.
            boolean side = r != dev;
            double start = Math.max(side ? linkFree[r] : devFree(r), ta);
            double end = start + pb.convertSeconds(v, from, form, r);
            if (side) {
                setLink(r, end);
            } else {
                setDev(r, end);
            }
            setAvail(v, r, form, end);
            setHome(v, form, r);
            log(L_CONV, 0, conversions);
            conversions++;
            if (events != null) {
                events.add(new Event(side ? CONVERT_SIDE : CONVERT, -1, -1, v, from, form, r, start, end));
            }
            if (r == dev) {
                return end;
            }
            h = r;
        }
        if (dev == host) {
            double ready = avail(v, h, form);
            double start = Math.max(linkFree[h], ready);
            double end = start + pb.readSeconds(v, form, h);
            setLink(h, end);
            setAvail(v, host, form, end);
            if (events != null) {
                events.add(new Event(READ, -1, -1, v, form, form, h, start, end));
            }
            return end;
        }
        if (h != host && pb.direct(h, dev)) {
            return copy(v, form, h, dev);
        }
        double staged = avail(v, host, form);
        double start = Math.max(devFree(dev), staged);
        double end = start + pb.writeSeconds(v, form, dev);
        setDev(dev, end);
        setAvail(v, dev, form, end);
        if (events != null) {
            events.add(new Event(WRITE, -1, -1, v, form, form, dev, start, end));
        }
        return end;
    }

    /** The direct crossing of value {@code v} in form {@code form} from target {@code from} to target {@code to}. */
    private double copy(int v, int form, int from, int to) {
        double ready = avail(v, from, form);
        boolean reader = pb.directByReader(to);
        int runs = reader ? from : to;
        double start = Math.max(reader ? linkFree[from] : devFree(to), ready);
        double end = start + pb.directSeconds(v, form, from, to);
        if (reader) {
            setLink(from, end);
        } else {
            setDev(to, end);
        }
        setAvail(v, to, form, end);
        if (events != null) {
            events.add(new Event(reader ? COPY_BY_SOURCE : COPY_BY_DESTINATION, -1, -1, v, form, form, runs, start, end,
                    reader ? to : from));
        }
        return end;
    }

    /** The target where converting value {@code v} from {@code a} to {@code b} for {@code dev} costs least, or -1. */
    private int converter(int v, int a, int b, int dev) {
        int best = -1;
        double bestCost = Problem.INF;
        int ha = home[v * k + a];
        for (int r = 0; r < d; r++) {
            double c = pb.convertSeconds(v, a, b, r);
            if (c == Problem.INF) {
                continue;
            }
            double in = !Double.isNaN(avail[idx(v, r, a)]) ? 0 : move(v, a, ha, r);
            double out = move(v, b, r, dev);
            double total = in + c + out;
            if (total < bestCost || total == bestCost && best >= 0 && preferred(r, best, ha, dev)) {
                best = r;
                bestCost = total;
            }
        }
        return best;
    }

    private static boolean preferred(int r, int best, int ha, int dev) {
        int rr = r == ha ? 0 : r == dev ? 1 : 2;
        int rb = best == ha ? 0 : best == dev ? 1 : 2;
        return rr < rb;
    }

    private double move(int v, int form, int from, int to) {
        if (from == to) {
            return 0;
        }
        if (pb.direct(from, to)) {
            return pb.directSeconds(v, form, from, to);
        }
        double c = 0;
        if (from != host) {
            c += pb.readSeconds(v, form, from);
        }
        if (to != host) {
            c += pb.writeSeconds(v, form, to);
        }
        return c;
    }

    /** The estimate of a whole assignment (one option per unit), or infinity when infeasible. */
    double evaluate(int[] assign) {
        reset();
        // A whole evaluation is never rolled back: skip the undo log.
        logging = false;
        try {
            for (int u : pb.order) {
                if (place(u, assign[u]) == Problem.INF) {
                    return Problem.INF;
                }
            }
            return finish();
        } finally {
            logging = true;
            top = 0;
        }
    }
}
