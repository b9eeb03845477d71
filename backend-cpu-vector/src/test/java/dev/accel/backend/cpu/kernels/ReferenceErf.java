package dev.accel.backend.cpu.kernels;

/** erf in double for the tests: the Maclaurin series below 2.5, the erfc continued fraction above. */
final class ReferenceErf {
    private ReferenceErf() {
    }

    static double erf(double x) {
        double a = Math.abs(x);
        double r;
        if (a < 2.5) {
            double term = a;
            double sum = a;
            for (int n = 1; n < 200; n++) {
                term *= -a * a / n;
                double t = term / (2 * n + 1);
                sum += t;
                if (Math.abs(t) < 1e-18 * Math.abs(sum)) {
                    break;
                }
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            double k = a;
            for (int n = 80; n >= 1; n--) {
                k = a + (n / 2.0) / k;
            }
            r = 1 - Math.exp(-a * a) / (Math.sqrt(Math.PI) * k);
        }
        return Math.copySign(r, x);
    }
}
