package dev.accel.cli;

import dev.accel.hal.Device;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.Fence;
import dev.accel.hal.HostTensor;
import dev.accel.hal.Kernel;
import dev.accel.hal.Queue;
import dev.accel.hal.Support;
import dev.accel.hal.UnsupportedOpException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs a {@link DemoNetwork} on one device: checks capabilities, prepares a kernel per layer,
 * allocates a buffer per value, writes the constants and the input, dispatches the layers in order
 * on one queue and reads the output back. Each timed run has two passes: one that waits for each
 * dispatch, to time the ops one by one, and one that queues the whole network (input write, every
 * dispatch, output read) and waits once at the end.
 *
 * @param deviceId the device's id
 * @param support each layer's support level on the device
 * @param layerMillis each layer's median time over the timed runs, in milliseconds
 * @param pipelinedMillis the median time of the whole network queued at once
 * @param output the output values as float, from the last run
 */
record DemoRun(String deviceId, List<Support> support, double[] layerMillis, double pipelinedMillis, float[] output) {
    /**
     * Runs {@code net} on {@code device} {@code warmup + runs} times and keeps the medians of the
     * last {@code runs}. The caller keeps ownership of the device and the input.
     *
     * @throws UnsupportedOpException when the device cannot run a layer, naming the layer
     * @throws dev.accel.hal.AccelException when preparing, a transfer or a kernel fails
     */
    static DemoRun run(Device device, DemoNetwork net, HostTensor input, int warmup, int runs) {
        String id = device.info().id();
        List<DemoNetwork.Layer> layers = net.layers();
        List<Support> support = new ArrayList<>();
        for (DemoNetwork.Layer l : layers) {
            Support s = device.capabilities().support(l.spec());
            if (!s.runnable()) {
                throw new UnsupportedOpException(id + " cannot run layer " + l.name() + " (" + l.spec() + "): " + s.reason());
            }
            support.add(s);
        }
        List<DeviceBuffer> buffers = new ArrayList<>();
        List<Kernel> kernels = new ArrayList<>();
        // The queue closes first (it waits for queued work), then the host tensor it may read into.
        try (HostTensor out = HostTensor.allocate(net.values().get(net.output()).type());
             Queue q = device.newQueue()) {
            for (DemoNetwork.Value v : net.values()) {
                DeviceBuffer b = device.allocate(v.type());
                buffers.add(b);
                if (v.constant() != null) {
                    q.write(v.constant(), b);
                }
            }
            q.finish();
            for (DemoNetwork.Layer l : layers) {
                kernels.add(device.prepare(l.spec()));
            }
            double[][] layerTimes = new double[layers.size()][runs];
            double[] pipelined = new double[runs];
            for (int r = 0; r < warmup + runs; r++) {
                q.write(input, buffers.get(net.input())).await();
                for (int i = 0; i < layers.size(); i++) {
                    long t0 = System.nanoTime();
                    dispatch(q, kernels.get(i), layers.get(i), buffers).await();
                    long t1 = System.nanoTime();
                    if (r >= warmup) {
                        layerTimes[i][r - warmup] = (t1 - t0) / 1e6;
                    }
                }
                long t0 = System.nanoTime();
                q.write(input, buffers.get(net.input()));
                for (int i = 0; i < layers.size(); i++) {
                    dispatch(q, kernels.get(i), layers.get(i), buffers);
                }
                q.read(buffers.get(net.output()), out);
                q.finish();
                long t1 = System.nanoTime();
                if (r >= warmup) {
                    pipelined[r - warmup] = (t1 - t0) / 1e6;
                }
            }
            double[] medians = new double[layers.size()];
            for (int i = 0; i < medians.length; i++) {
                medians[i] = median(layerTimes[i]);
            }
            return new DemoRun(id, List.copyOf(support), medians, median(pipelined), out.toFloatArray());
        } finally {
            for (Kernel k : kernels) {
                k.close();
            }
            for (DeviceBuffer b : buffers) {
                b.close();
            }
        }
    }

    private static Fence dispatch(Queue q, Kernel k, DemoNetwork.Layer l, List<DeviceBuffer> buffers) {
        List<DeviceBuffer> in = l.inputs().stream().map(buffers::get).toList();
        return q.dispatch(k, in, List.of(buffers.get(l.output())));
    }

    /** The sum of the per-layer medians. */
    double sumOfLayersMillis() {
        return Arrays.stream(layerMillis).sum();
    }

    /** The median of {@code xs} (the mean of the middle two for an even count). */
    static double median(double[] xs) {
        if (xs.length == 0) {
            throw new IllegalArgumentException("median of no values");
        }
        double[] s = xs.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }

    /**
     * The largest absolute difference between two outputs of equal length; NaN when either holds a
     * NaN where the other does not.
     */
    static double maxAbsDifference(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("outputs differ in length: " + a.length + " vs " + b.length);
        }
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            if (Float.isNaN(a[i]) != Float.isNaN(b[i])) {
                return Double.NaN;
            }
            if (!Float.isNaN(a[i])) {
                max = Math.max(max, Math.abs((double) a[i] - b[i]));
            }
        }
        return max;
    }
}
