package prunekit.model;

/** Checks and flattens a batch of token sequences on its way into the forward pass. */
final class TokenBatch {

    private TokenBatch() {}

    /**
     * Checks that {@code tokens} holds B ≥ 1 sequences of the same length T, 1 ≤ T ≤ the model's
     * maximum, with every id in the vocabulary.
     *
     * @return T
     */
    static int check(int[][] tokens, LlamaConfig config) {
        if (tokens.length == 0 || tokens[0].length == 0) {
            throw new IllegalArgumentException("empty input: need at least one sequence of at least one token");
        }
        int t = tokens[0].length;
        if (t > config.maxSequenceLength()) {
            throw new IllegalArgumentException("sequence length " + t + " exceeds the model's maximum "
                    + config.maxSequenceLength() + " (" + config.name() + ")");
        }
        for (int[] row : tokens) {
            if (row.length != t) {
                throw new IllegalArgumentException("sequences in a batch must have equal length: "
                        + row.length + " vs " + t);
            }
            for (int id : row) {
                if (id < 0 || id >= config.vocabSize()) {
                    throw new IllegalArgumentException("token id " + id + " outside the vocabulary [0, "
                            + config.vocabSize() + ")");
                }
            }
        }
        return t;
    }

    /** B rows of T ids, row-major: (B·T). */
    static int[] flatten(int[][] rows) {
        int t = rows[0].length;
        int[] flat = new int[rows.length * t];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * t, t);
        }
        return flat;
    }
}
