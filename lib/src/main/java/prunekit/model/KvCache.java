package prunekit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The keys and values every layer has computed for the tokens seen so far, so that the next
 * tokens attend to them without running the prefix again (the key/value cache of autoregressive
 * decoding). Keys are stored rotated (RoPE at their own positions) and per key/value head, before
 * the grouped-query repetition: (B, K, P, D) per layer for P cached tokens.
 *
 * <p>Made by {@link LlamaModel#newCache()}, filled by {@link LlamaModel#forward(NDManager, int[][], KvCache)};
 * it owns its tensors (in a manager of its own): close it when done.
 */
public final class KvCache implements AutoCloseable {

    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private int length;

    KvCache(NDManager manager, int layers) {
        this.manager = manager;
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
    }

    /** Cached tokens per sequence. */
    public int length() {
        return length;
    }

    /** Sequences in the cache (0 while empty). */
    public long batch() {
        return keys[0] == null ? 0 : keys[0].getShape().get(0);
    }

    /**
     * A cache of {@code n} sequences that all start with this cache's single sequence: how the
     * choices of a multiple-choice item share one run of their context.
     */
    public KvCache repeat(int n) {
        if (batch() != 1) throw new IllegalStateException("repeat needs a cache of one sequence, this one holds " + batch());
        KvCache out = new KvCache(manager.getParentManager().newSubManager(), keys.length);
        for (int l = 0; l < keys.length; l++) {
            out.keys[l] = repeated(keys[l], n, out.manager);
            out.values[l] = repeated(values[l], n, out.manager);
        }
        out.length = length;
        return out;
    }

    private static NDArray repeated(NDArray a, int n, NDManager into) {
        Shape s = a.getShape();
        NDArray r = a.broadcast(new Shape(n, s.get(1), s.get(2), s.get(3))).duplicate();
        r.attach(into);
        return r;
    }

    /**
     * Layer l's keys and values with {@code k} and {@code v} (B, K, T, D) appended; the cache keeps
     * the concatenation and returns new handles to it, which the caller may close.
     */
    NDArray[] append(int l, NDArray k, NDArray v) {
        keys[l] = grow(keys[l], k);
        values[l] = grow(values[l], v);
        return new NDArray[] {handle(keys[l]), handle(values[l])};
    }

    /** Marks {@code t} more tokens cached, once every layer has appended them. */
    void advance(int t) {
        length += t;
    }

    private NDArray grow(NDArray old, NDArray add) {
        NDArray all = old == null ? add.duplicate() : old.concat(add, 2);
        all.attach(manager);
        if (old != null) old.close();
        return all;
    }

    /** A second handle to the same storage, so that closing it leaves the cache whole. */
    private static NDArray handle(NDArray a) {
        return a.reshape(a.getShape());
    }

    @Override
    public void close() {
        manager.close();
    }
}
