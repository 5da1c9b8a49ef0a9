package prunekit.bench;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Takes turns with other benchmark processes, pass by pass, so that only one of them computes at a
 * time and all of them see the same drift of this machine's speed (which moves by 10-30 % over
 * minutes, more than the differences being measured). The processes form a ring of named pipes
 * (FIFOs): each waits for a byte on its own pipe before a pass and writes one to the next process's
 * pipe after it. A process that is waiting blocks in a read and uses no CPU.
 *
 * <p>{@code environment/bench-vs-pytorch.sh} makes the ring (prunekit, PyTorch eager, PyTorch sdpa)
 * and puts the first byte in; {@code environment/bench/pytorch_bench.py --lockstep} is the Python side.
 */
public interface Turns {

    /** Blocks until it is this process's turn. */
    void await();

    /** Hands the turn to the next process. */
    void pass();

    /** No other process: every turn is this one's. */
    Turns ALONE = new Turns() {
        @Override
        public void await() {}

        @Override
        public void pass() {}
    };

    /**
     * A place in a ring of FIFOs.
     *
     * @param mine the FIFO this process reads its turn from
     * @param next the FIFO of the process after it
     */
    static Turns ring(Path mine, Path next) {
        for (Path p : new Path[] {mine, next}) {
            if (!Files.exists(p)) {
                throw new IllegalArgumentException(
                        "--lockstep: " + p + " does not exist (expected a FIFO made with mkfifo)");
            }
        }
        try {
            // read-write opens of a FIFO do not block on Linux, whichever side opens first
            RandomAccessFile in = new RandomAccessFile(mine.toFile(), "rw");
            RandomAccessFile out = new RandomAccessFile(next.toFile(), "rw");
            return new Turns() {
                @Override
                public void await() {
                    try {
                        if (in.read() < 0) {
                            throw new IllegalStateException("--lockstep: " + mine + " was closed");
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(mine.toString(), e);
                    }
                }

                @Override
                public void pass() {
                    try {
                        out.write('x');
                    } catch (IOException e) {
                        throw new UncheckedIOException(next.toString(), e);
                    }
                }
            };
        } catch (IOException e) {
            throw new UncheckedIOException("--lockstep: cannot open " + mine + " or " + next, e);
        }
    }
}
