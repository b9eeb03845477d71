package dev.accel.partitioner;

import dev.accel.hal.InvalidArgumentException;

/**
 * How hard placement searches.
 *
 * @param mode AUTO (exact on graphs of at most {@code exactLimit} units, else heuristic), EXACT or
 *     HEURISTIC
 * @param exactLimit the most units (nodes, fusion groups counting once) AUTO searches exactly
 * @param stateBudget the most partial placements the branch and bound expands before it settles for
 *     the best found (the plan then says the search was cut short)
 * @param refineEvaluations the most whole-plan estimates the local refinement makes; 0 picks a
 *     number that keeps a 10,000-node graph well under a second
 */
public record SearchOptions(Mode mode, int exactLimit, long stateBudget, int refineEvaluations) {
    /** Which search to run. */
    public enum Mode { AUTO, EXACT, HEURISTIC }

    public SearchOptions {
        if (mode == null) {
            throw new InvalidArgumentException("search mode is null");
        }
        if (exactLimit < 0 || stateBudget < 1 || refineEvaluations < 0) {
            throw new InvalidArgumentException("search options exactLimit " + exactLimit + ", stateBudget " + stateBudget
                    + ", refineEvaluations " + refineEvaluations + ": limits must be >= 0 and the budget >= 1");
        }
    }

    /** AUTO, exact up to 18 units, 500,000 states, automatic refinement budget. */
    public static SearchOptions defaults() {
        return new SearchOptions(Mode.AUTO, 18, 500_000, 0);
    }

    /** These options with another mode. */
    public SearchOptions withMode(Mode m) {
        return new SearchOptions(m, exactLimit, stateBudget, refineEvaluations);
    }
}
