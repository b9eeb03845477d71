package dev.accel.benchmarks;

import dev.accel.partitioner.Plan;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs {@link PlanningBenchmark} with JMH in this JVM (forks 0): each iteration is one plan of the
 * whole graph (single-shot time), after warm-up plans that let the JIT compile the search. Reports
 * the median and the fastest iteration, with what the plan looked like.
 */
public final class PlanningSuite {
    /** The goal for a 10,000-node graph, in milliseconds. */
    public static final double GOAL_MS = 200;

    /**
     * The outcome of a run.
     *
     * @param nodes graph size
     * @param medianMs median plan time over the measurement iterations
     * @param bestMs fastest iteration
     * @param iterations measurement iterations
     * @param summary the plan's method, regions, transfers and conversions
     */
    public record Result(int nodes, double medianMs, double bestMs, int iterations, String summary) {
        /** One line: time, goal and whether it was met. */
        public String line() {
            return String.format(Locale.ROOT, "plan.nodes%d  median %.1f ms, best %.1f ms over %d plans  goal <= %.0f ms: %s%n  %s",
                    nodes, medianMs, bestMs, iterations, GOAL_MS, medianMs <= GOAL_MS ? "met" : "MISSED", summary);
        }
    }

    private final int warmups;
    private final int iterations;

    /**
     * {@code quick}: 15 warm-up and 10 measured plans; else 20 and 30. The search's code needs
     * about 15 plans of 10,000 nodes before C2 has compiled it on a busy 2-core machine.
     */
    public PlanningSuite(boolean quick) {
        this.warmups = quick ? 15 : 20;
        this.iterations = quick ? 10 : 30;
    }

    /** Plans a graph of {@code nodes} nodes (a multiple of 8) repeatedly; returns the timing. */
    public Result run(int nodes) {
        var options = new OptionsBuilder()
                .include("^" + PlanningBenchmark.class.getName().replace(".", "\\.") + "\\.plan$")
                .param("nodes", Integer.toString(nodes))
                .forks(0)
                .threads(1)
                .warmupIterations(warmups)
                .measurementIterations(iterations)
                .shouldFailOnError(true)
                .build();
        Collection<RunResult> results;
        try (PrintStream sink = new PrintStream(OutputStream.nullOutputStream())) {
            results = new Runner(options, OutputFormatFactory.createFormatInstance(sink, VerboseMode.SILENT)).run();
        } catch (RunnerException e) {
            throw new IllegalStateException("JMH failed on PlanningBenchmark: " + e.getMessage(), e);
        }
        List<Double> ms = new ArrayList<>();
        for (RunResult r : results) {
            r.getBenchmarkResults().forEach(br -> {
                for (IterationResult it : br.getIterationResults()) {
                    ms.add(it.getPrimaryResult().getScore());
                }
            });
        }
        if (ms.isEmpty()) {
            throw new IllegalStateException("JMH returned no result for PlanningBenchmark.plan with nodes=" + nodes);
        }
        PlanningBenchmark b = new PlanningBenchmark();
        b.nodes = nodes;
        b.setup();
        Plan p = b.plan();
        String summary = String.format(Locale.ROOT, "%s; %d regions, %d transfers, %d conversions; estimate %.3f ms vs best single "
                + "device %.3f ms", p.method(), p.regions().size(), p.transfers().size(), p.conversions().size(),
                p.estimatedSeconds() * 1e3, p.singleDeviceSeconds() * 1e3);
        return new Result(nodes, CpuSuite.median(ms), ms.stream().mapToDouble(Double::doubleValue).min().orElseThrow(), ms.size(),
                summary);
    }
}
