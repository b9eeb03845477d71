package dev.accel.conformance;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Every case of the suite, in a stable order: transfers and host segments first, then the ops, then prepare with constants. */
final class Cases {
    private static volatile List<ConformanceCase> all;

    private Cases() {
    }

    static List<ConformanceCase> all() {
        List<ConformanceCase> r = all;
        if (r == null) {
            CaseList c = new CaseList();
            TransferCases.all().forEach(c::add);
            HostSegmentCases.all().forEach(c::add);
            ElementwiseCases.addTo(c);
            LinalgCases.addTo(c);
            NormPoolCases.addTo(c);
            QuantCases.addTo(c);
            LayoutCases.addTo(c);
            ConstantCases.addTo(c);
            Set<String> ids = new HashSet<>();
            for (ConformanceCase x : c.cases()) {
                if (!ids.add(x.id())) {
                    throw new IllegalStateException("two conformance cases share the id " + x.id());
                }
            }
            r = List.copyOf(c.cases());
            all = r;
        }
        return r;
    }
}
