package dev.accel.conformance;

import java.util.Locale;

/**
 * The errors of a device's output against the reference under a {@link Tolerance}.
 *
 * @param maxAbsError largest {@code |device - reference|} (infinite where a non-finite value is not matched)
 * @param maxRelError largest {@code |device - reference| / max(|reference|, rms(reference))}
 * @param bad how many elements are out of tolerance
 * @param detail empty when every element is within tolerance, else the count and the worst element
 */
record Comparison(double maxAbsError, double maxRelError, int bad, String detail) {
    boolean ok() {
        return bad == 0;
    }

    static Comparison of(double[] device, double[] reference, Tolerance tol) {
        if (device.length != reference.length) {
            return new Comparison(Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Math.max(device.length, 1),
                    "device produced " + device.length + " values, the reference " + reference.length);
        }
        double sq = 0;
        int finite = 0;
        for (double r : reference) {
            if (Double.isFinite(r)) {
                sq += r * r;
                finite++;
            }
        }
        double rms = finite == 0 ? 0 : Math.sqrt(sq / finite);
        double maxAbs = 0;
        double maxRel = 0;
        int bad = 0;
        int worst = -1;
        double worstErr = -1;
        for (int i = 0; i < device.length; i++) {
            double d = device[i];
            double r = reference[i];
            double abs;
            double rel;
            if (!Double.isFinite(d) || !Double.isFinite(r)) {
                boolean same = Double.isNaN(d) ? Double.isNaN(r) : d == r;
                abs = same ? 0 : Double.POSITIVE_INFINITY;
                rel = abs;
            } else {
                abs = Math.abs(d - r);
                double denom = Math.max(Math.abs(r), rms);
                rel = abs == 0 ? 0 : denom == 0 ? Double.POSITIVE_INFINITY : abs / denom;
            }
            maxAbs = Math.max(maxAbs, abs);
            maxRel = Math.max(maxRel, rel);
            boolean ok = switch (tol.kind()) {
                case EXACT -> abs == 0;
                case ABSOLUTE -> abs <= tol.bound();
                case RELATIVE -> rel <= tol.bound();
            };
            if (!ok) {
                bad++;
                double err = tol.kind() == Tolerance.Kind.RELATIVE ? rel : abs;
                if (err > worstErr) {
                    worstErr = err;
                    worst = i;
                }
            }
        }
        String detail = bad == 0 ? "" : String.format(Locale.ROOT,
                "%d of %d elements outside %s (rms of reference %.4g); worst at flat index %d: device %s, reference %s",
                bad, device.length, tol, rms, worst, num(device[worst]), num(reference[worst]));
        return new Comparison(maxAbs, maxRel, bad, detail);
    }

    private static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.9g", v);
    }
}
