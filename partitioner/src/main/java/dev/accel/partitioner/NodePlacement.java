package dev.accel.partitioner;

import java.util.List;

/**
 * Where one node of the source graph runs, and why.
 *
 * @param node the node's name
 * @param op its op as the source graph has it ("Conv")
 * @param device the device chosen
 * @param precision the precision chosen
 * @param region the index of its region
 * @param claims what every device said, in every precision, with estimated costs
 * @param why one sentence: why here
 */
public record NodePlacement(String node, String op, String device, Precision precision, int region, List<Claim> claims,
                            String why) {
    public NodePlacement {
        claims = List.copyOf(claims);
    }
}
