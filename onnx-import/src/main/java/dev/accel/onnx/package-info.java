/**
 * ONNX models in and out of accel graphs, and the ONNX backend-test runner.
 *
 * <p>{@link dev.accel.onnx.OnnxReader} imports a model (opsets 6 to 25 of the default domain,
 * initializers inline or external) into a {@link dev.accel.graph.Graph}, reporting a malformed
 * file as {@link dev.accel.hal.ModelFormatException} and a model using what accel does not run as
 * {@link dev.accel.onnx.UnsupportedModelException}, which lists every such node at once.
 * {@link dev.accel.onnx.OnnxWriter} writes graphs back. {@link dev.accel.onnx.OnnxTestRunner}
 * runs backend-test folders on devices through {@link dev.accel.onnx.GraphExecutor} and reports
 * per folder and device ({@link dev.accel.onnx.OnnxTestReport}); {@link dev.accel.onnx.ModelAnalyzer}
 * is what {@code accel analyze} prints. The protobuf classes come from the module's own
 * {@code accel_onnx.proto}, compiled by the build.
 */
package dev.accel.onnx;
