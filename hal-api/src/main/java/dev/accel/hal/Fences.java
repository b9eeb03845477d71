package dev.accel.hal;

import java.time.Duration;

/** Shared fence instances. */
final class Fences {
    static final Fence DONE = new Fence() {
        @Override
        public boolean isDone() {
            return true;
        }

        @Override
        public void await() {
        }

        @Override
        public boolean await(Duration timeout) {
            return true;
        }

        @Override
        public String toString() {
            return "Fence(done)";
        }
    };

    private Fences() {
    }
}
