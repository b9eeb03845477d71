package dev.accel.cli;

import dev.accel.hal.HostTensor;

/**
 * How far one run's output is from a reference run's: the largest |difference| and the largest
 * |reference value|. A NaN anywhere in the difference makes it NaN, so that it never passes a
 * tolerance.
 *
 * @param difference the largest |got - want| (NaN when any element's difference is NaN)
 * @param scale the largest |want|
 */
record Agreement(double difference, double scale) {
    /** Compares element by element; the tensors must have the same element count. */
    static Agreement of(HostTensor want, HostTensor got) {
        if (want.numel() != got.numel()) {
            throw new IllegalArgumentException("cannot compare " + want.type() + " with " + got.type());
        }
        double diff = 0;
        double scale = 0;
        for (long i = 0; i < want.numel(); i++) {
            double w = want.getDouble(i);
            double d = Math.abs(w - got.getDouble(i));
            diff = Double.isNaN(d) || Double.isNaN(diff) ? Double.NaN : Math.max(diff, d);
            scale = Math.max(scale, Math.abs(w));
        }
        return new Agreement(diff, scale);
    }

    /** The difference over the scale (the difference itself when the reference is all zeros). */
    double relative() {
        return scale > 0 ? difference / scale : difference;
    }
}
