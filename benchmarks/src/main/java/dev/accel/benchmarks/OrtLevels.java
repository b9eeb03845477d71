package dev.accel.benchmarks;

import ai.onnxruntime.OrtSession;

/** The graph optimization levels the ONNX Runtime peer runs at. */
final class OrtLevels {
    /** ONNX Runtime's default for sessions: every optimization, layout transforms (NCHWc) included. */
    static final OrtSession.SessionOptions.OptLevel DEFAULT = OrtSession.SessionOptions.OptLevel.ALL_OPT;
    /** Every optimization but the layout transforms: kernels run on the model's own NCHW tensors. */
    static final OrtSession.SessionOptions.OptLevel NCHW = OrtSession.SessionOptions.OptLevel.EXTENDED_OPT;

    private OrtLevels() {
    }
}
