// Unary elementwise ops, y[i] = f(x[i]). KIND selects f (see VulkanElementwise.unaryKind).
layout(constant_id = 3) const uint KIND = 0;

layout(push_constant) uniform PC {
    uint n;
    float alpha;
    float beta;
} pc;

float apply(float x) {
    switch (KIND) {
        case 0: return x < 0.0 ? 0.0 : x;                                   // Relu (NaN stays NaN)
        case 1: return x < 0.0 ? pc.alpha * x : x;                          // LeakyRelu
        case 2: return sigmoid_acc(x);                                      // Sigmoid
        case 3: return tanh_acc(x);                                         // Tanh
        case 4: return 0.5 * x * erfc_acc(-x * 0.70710678118654752);        // Gelu, exact
        case 5: {                                                           // Gelu, tanh approximation
            float u = 0.7978845608028654 * (x + 0.044715 * x * x * x);
            return x * sigmoid_acc(2.0 * u);                                // 0.5 (1 + tanh u) = sigmoid(2u)
        }
        case 6: return erf_acc(x);                                          // Erf
        case 7: return sqrt(x);                                             // Sqrt
        case 8: return exp(x);                                              // Exp
        case 9: return isnan(x) ? x : min(max(x, pc.alpha), pc.beta);       // Clip
        case 10: return isnan(x) ? x : clamp(pc.alpha * x + pc.beta, 0.0, 1.0); // HardSigmoid
        case 11: return isnan(x) ? x : x * clamp(x / 6.0 + 0.5, 0.0, 1.0);  // HardSwish
        default: return ACC_NAN;
    }
}

void main() {
    for (uint i = gl_GlobalInvocationID.x; i < pc.n; i += grid_stride()) {
        st_y(i, apply(ld_x(i)));
    }
}
