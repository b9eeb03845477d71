package dev.accel.conformance;

/**
 * One conformance case on one device.
 *
 * @param id stable case identifier, e.g. {@code Conv/f32/depthwise-3x3-17x17}
 * @param op the op's name
 * @param dtype the dtype under test
 * @param shape a short description of the shapes
 * @param outcome what it came to
 * @param maxAbsError largest absolute error against the reference (NaN when not run)
 * @param maxRelError largest relative error against the reference (NaN when not run)
 * @param detail the reason (unsupported, expected failure with its issue) or the failure message
 */
public record CaseResult(String id, String op, String dtype, String shape, Outcome outcome, double maxAbsError,
                         double maxRelError, String detail) {
}
