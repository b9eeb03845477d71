package dev.accel.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.accel.graph.Constant;
import dev.accel.graph.Dim;
import dev.accel.graph.SymShape;
import dev.accel.graph.ValueType;
import dev.accel.hal.DType;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.ModelFormatException;
import dev.accel.onnx.proto.Onnx.GraphProto;
import dev.accel.onnx.proto.Onnx.ModelProto;
import dev.accel.onnx.proto.Onnx.NodeProto;
import dev.accel.onnx.proto.Onnx.OperatorSetIdProto;
import dev.accel.onnx.proto.Onnx.TensorProto;
import dev.accel.onnx.proto.Onnx.TensorShapeProto;
import dev.accel.onnx.proto.Onnx.TypeProto;
import dev.accel.onnx.proto.Onnx.ValueInfoProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads ONNX models into accel graphs: opsets 6 to 25 of the default domain, initializers inline
 * or in external data files next to the model.
 *
 * <p>Errors: a file that is not a well-formed ONNX model (truncated, corrupt, hostile: absurd
 * sizes, references outside the model's folder) gives {@link ModelFormatException}; a well-formed
 * model that uses what accel does not run gives {@link UnsupportedModelException}, which lists every
 * such operator with its node name and opset at once. Nothing else escapes, and sizes are checked
 * against the bytes present before anything is allocated.
 *
 * <p>Thread safety: stateless; every method may be called from any thread.
 */
public final class OnnxReader {
    /** The lowest and highest default-domain opsets accepted. */
    public static final int MIN_OPSET = 6;
    public static final int MAX_OPSET = 25;

    private static final System.Logger LOG = System.getLogger(OnnxReader.class.getName());
    private static final long MAX_FILE = Integer.MAX_VALUE - 8;

    private OnnxReader() {
    }

    /** Reads a model file; external data is looked up next to it. */
    public static OnnxModel read(Path file) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new ModelFormatException("cannot read model " + file + ": " + e.getMessage(), e);
        }
        if (size > MAX_FILE) {
            throw new ModelFormatException("model " + file + " has " + size + " bytes; protobuf files are limited to 2 GiB, "
                    + "larger models keep their weights in external data files");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ModelFormatException("cannot read model " + file + ": " + e.getMessage(), e);
        }
        Path dir = file.toAbsolutePath().getParent();
        return read(bytes, dir, file.getFileName().toString());
    }

    /**
     * Reads a model from bytes.
     *
     * @param baseDir the folder external data is relative to, or null to refuse external data
     * @param name the model's name in messages
     */
    public static OnnxModel read(byte[] bytes, Path baseDir, String name) {
        ModelProto m = parse(bytes, name);
        try {
            return importModel(m, baseDir, name);
        } catch (InvalidArgumentException | ArithmeticException | IndexOutOfBoundsException e) {
            // A model whose structure does not fit accel's graph (an empty name, a shape that overflows).
            throw new ModelFormatException("model " + name + " is malformed: " + e.getMessage(), e);
        }
    }

    /** Parses the protobuf, with protobuf's own bounds (nesting depth 100, sizes checked against the input). */
    static ModelProto parse(byte[] bytes, String name) {
        if (bytes.length == 0) {
            throw new ModelFormatException("model " + name + " is empty (0 bytes)");
        }
        ModelProto m;
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.setRecursionLimit(64);
            m = ModelProto.parseFrom(in);
        } catch (InvalidProtocolBufferException e) {
            throw new ModelFormatException("model " + name + " is not a valid ONNX protobuf (truncated or corrupt): " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new ModelFormatException("model " + name + " could not be parsed: " + e, e);
        }
        if (!m.hasGraph() || m.getIrVersion() <= 0) {
            throw new ModelFormatException("model " + name + " is not an ONNX model: " + (m.hasGraph() ? "" : "it has no graph, ")
                    + "ir_version is " + m.getIrVersion() + " (ONNX files have a graph and ir_version >= 1)");
        }
        return m;
    }

    private static OnnxModel importModel(ModelProto m, Path baseDir, String name) {
        long opset = 0;
        List<UnsupportedModelException.Item> modelItems = new ArrayList<>();
        for (OperatorSetIdProto o : m.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                opset = o.getVersion();
            }
        }
        if (m.getIrVersion() < 3 && m.getOpsetImportCount() == 0) {
            opset = 1;
        }
        if (opset < MIN_OPSET || opset > MAX_OPSET) {
            modelItems.add(new UnsupportedModelException.Item("", "", "", opset,
                    "default-domain opset " + opset + " is outside the supported " + MIN_OPSET + " to " + MAX_OPSET));
        }
        Map<String, Long> opsets = new HashMap<>();
        for (OperatorSetIdProto o : m.getOpsetImportList()) {
            opsets.put(o.getDomain(), o.getVersion());
        }
        GraphProto g = m.getGraph();
        List<String> notes = new ArrayList<>();
        Set<String> consumed = new HashSet<>();
        for (NodeProto n : g.getNodeList()) {
            consumed.addAll(n.getInputList());
        }
        for (ValueInfoProto o : g.getOutputList()) {
            consumed.add(o.getName());
        }
        String graphName = g.getName().isEmpty() ? name : g.getName();
        Importer c = new Importer(graphName, name, opset, consumed);
        c.unsupported.addAll(modelItems);
        Set<String> produced = new HashSet<>();
        for (NodeProto n : g.getNodeList()) {
            produced.addAll(n.getOutputList());
        }
        if (g.getSparseInitializerCount() > 0) {
            c.unsupported.add(new UnsupportedModelException.Item("", "", "", opset, "sparse initializers"));
        }
        Set<String> initializers = new HashSet<>();
        for (TensorProto t : g.getInitializerList()) {
            String what = "initializer '" + t.getName() + "'";
            if (t.getName().isEmpty()) {
                throw new ModelFormatException("model " + name + ": an initializer has no name");
            }
            try {
                Constant k = OnnxTensors.toConstant(t, baseDir, what);
                if (!initializers.add(t.getName()) || produced.contains(t.getName())) {
                    throw new ModelFormatException("model " + name + ": " + what + " is defined twice");
                }
                c.constantAs(t.getName(), k);
            } catch (UnsupportedModelException e) {
                poisonAll(c, e, t.getName());
            }
        }
        for (ValueInfoProto vi : g.getInputList()) {
            if (initializers.contains(vi.getName())) {
                continue;
            }
            if (produced.contains(vi.getName())) {
                notes.add("graph input '" + vi.getName() + "' is also a node output; the node's value is used");
                continue;
            }
            ValueType t = valueType(c, vi, "graph input");
            if (t != null) {
                c.input(vi.getName(), t);
            } else {
                c.poisoned.add(vi.getName());
            }
        }
        int index = 0;
        for (NodeProto n : GraphOrder.sorted(g.getNodeList(), name)) {
            mapNode(c, n, opsets, index++);
        }
        for (ValueInfoProto vi : g.getValueInfoList()) {
            if (!c.poisoned.contains(vi.getName()) && produced.contains(vi.getName()) && vi.getType().hasTensorType()
                    && OnnxTypes.dtype(vi.getType().getTensorType().getElemType()) != null) {
                c.builder.declare(vi.getName(), valueType(c, vi, "value"));
            }
        }
        for (ValueInfoProto vi : g.getOutputList()) {
            if (vi.getName().isEmpty()) {
                throw new ModelFormatException("model " + name + ": a graph output has no name");
            }
            ValueType t = valueType(c, vi, "graph output");
            if (t != null && produced.contains(vi.getName())) {
                c.builder.declare(vi.getName(), t);
            }
            c.builder.output(vi.getName());
        }
        if (!c.unsupported.isEmpty()) {
            throw new UnsupportedModelException(name, c.unsupported);
        }
        try {
            dev.accel.graph.Graph graph = c.builder.build();
            String producer = (m.getProducerName() + " " + m.getProducerVersion()).trim();
            notes.forEach(s -> LOG.log(System.Logger.Level.DEBUG, () -> name + ": " + s));
            return new OnnxModel(graph, m.getIrVersion(), opset, producer, notes);
        } catch (InvalidArgumentException | ArithmeticException e) {
            throw new ModelFormatException("model " + name + ": " + e.getMessage(), e);
        }
    }

    private static void mapNode(Importer c, NodeProto n, Map<String, Long> opsets, int index) {
        c.opType = n.getOpType();
        c.domain = n.getDomain().equals("ai.onnx") ? "" : n.getDomain();
        c.node = c.uniqueNodeName(n.getName(), index);
        boolean poisoned = false;
        for (String i : n.getInputList()) {
            poisoned |= c.poisoned.contains(i);
        }
        if (!c.domain.isEmpty()) {
            c.unsupported.add(new UnsupportedModelException.Item(c.node, c.opType, c.domain, opsets.getOrDefault(n.getDomain(), 0L),
                    "operator domain '" + c.domain + "' is outside the op set"));
            c.poisoned.addAll(n.getOutputList());
            return;
        }
        if (poisoned || c.opset < MIN_OPSET || c.opset > MAX_OPSET) {
            if (!OpMapper.SUPPORTED.contains(c.opType)) {
                c.unsupported.add(new UnsupportedModelException.Item(c.node, c.opType, "", c.opset, "operator outside the op set"));
            }
            c.poisoned.addAll(n.getOutputList());
            return;
        }
        try {
            OpMapper.map(c, n);
        } catch (Importer.Skip s) {
            c.poisoned.addAll(n.getOutputList());
        } catch (UnsupportedModelException e) {
            for (UnsupportedModelException.Item i : e.items()) {
                c.unsupported.add(new UnsupportedModelException.Item(c.node, c.opType, c.domain, c.opset, i.reason()));
            }
            c.poisoned.addAll(n.getOutputList());
        } catch (InvalidArgumentException | IndexOutOfBoundsException e) {
            throw c.malformed(e.getMessage());
        }
    }

    private static void poisonAll(Importer c, UnsupportedModelException e, String value) {
        for (UnsupportedModelException.Item i : e.items()) {
            c.unsupported.add(new UnsupportedModelException.Item(value, "", "", c.opset, i.reason()));
        }
        c.poisoned.add(value);
    }

    /** The type of a value info, or null (recorded as unsupported) for non-tensor or unsupported element types. */
    private static ValueType valueType(Importer c, ValueInfoProto vi, String what) {
        TypeProto t = vi.getType();
        String reason = switch (t.getValueCase()) {
            case TENSOR_TYPE -> null;
            case SEQUENCE_TYPE -> "sequence type";
            case MAP_TYPE -> "map type";
            case OPTIONAL_TYPE -> "optional type";
            case SPARSE_TENSOR_TYPE -> "sparse tensor type";
            case VALUE_NOT_SET -> vi.hasType() ? "a type accel does not know" : null;
        };
        if (reason == null && !vi.hasType()) {
            if (what.equals("graph output") || what.equals("value")) {
                return null;
            }
            reason = "no type given";
        }
        if (reason == null) {
            DType d = OnnxTypes.dtype(t.getTensorType().getElemType());
            if (d == null) {
                reason = OnnxTypes.unsupportedReason(t.getTensorType().getElemType());
            } else {
                return new ValueType(d, shape(t.getTensorType(), vi.getName(), c.model));
            }
        }
        c.unsupported.add(new UnsupportedModelException.Item(what + " '" + vi.getName() + "'", "", "", c.opset, reason));
        return null;
    }

    private static SymShape shape(TypeProto.Tensor t, String value, String model) {
        if (!t.hasShape()) {
            return SymShape.unknown();
        }
        List<Dim> dims = new ArrayList<>();
        int i = 0;
        for (TensorShapeProto.Dimension d : t.getShape().getDimList()) {
            if (d.hasDimValue()) {
                long v = d.getDimValue();
                if (v < 0 || v > Integer.MAX_VALUE) {
                    throw new ModelFormatException("model " + model + ": value '" + value + "' has dimension " + i + " = " + v);
                }
                dims.add(Dim.of((int) v));
            } else if (d.hasDimParam() && !d.getDimParam().isEmpty()) {
                dims.add(Dim.sym(d.getDimParam()));
            } else {
                dims.add(Dim.sym(value + ":" + i));
            }
            i++;
        }
        return SymShape.of(dims);
    }
}
