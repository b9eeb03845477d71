package dev.accel.partitioner;

import dev.accel.hal.DType;

/**
 * A dtype conversion the plan inserts where a value crosses from one precision to another: one per
 * value and target dtype, however many readers need it.
 *
 * @param node the conversion node's name in {@link Plan#graph()}
 * @param value the source graph's value it converts
 * @param from its dtype before
 * @param to its dtype after
 * @param device where the conversion runs
 * @param seconds its estimated time
 */
public record Conversion(String node, String value, DType from, DType to, String device, double seconds) {
}
