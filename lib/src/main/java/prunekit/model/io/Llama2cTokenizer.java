package prunekit.model.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import prunekit.model.Tokenizer;

/**
 * The tokenizer of llama2.c checkpoints ({@code tokenizer.bin}: int32 max_token_length, then per
 * token a float32 score, an int32 byte length and the bytes). Encoding follows run.c's
 * {@code encode}: a dummy-prefix space, one token per UTF-8 character (unknown characters fall back
 * to byte tokens {@code <0xXX>} = byte + 3), then repeatedly merge the adjacent pair whose
 * concatenation is the vocabulary entry with the highest score (leftmost on ties). A heap keeps
 * this O(n log n) instead of run.c's O(n²) rescans, with the same result.
 */
public final class Llama2cTokenizer implements Tokenizer {

    private static final int BOS = 1;
    private static final int EOS = 2;
    private static final int BYTE_OFFSET = 3;

    private final String[] pieces;
    private final float[] scores;
    private final Map<String, Integer> ids = new HashMap<>();

    Llama2cTokenizer(String[] pieces, float[] scores) {
        this.pieces = pieces;
        this.scores = scores;
        // Older exports store the byte tokens 3..258 as the characters themselves, so some strings
        // appear twice; the later (regular) piece wins, as in SentencePiece.
        for (int i = 0; i < pieces.length; i++) {
            ids.put(pieces[i], i);
        }
    }

    /** Reads {@code tokenizer.bin} with {@code vocabSize} entries (the model header's vocab_size). */
    public static Llama2cTokenizer load(Path file, int vocabSize) throws IOException {
        if (!Files.exists(file)) {
            throw new IOException(file + ": llama2.c tokenizer not found (expected tokenizer.bin beside model.bin)");
        }
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        String[] pieces = new String[vocabSize];
        float[] scores = new float[vocabSize];
        try {
            buf.getInt(); // max_token_length
            for (int i = 0; i < vocabSize; i++) {
                scores[i] = buf.getFloat();
                int len = buf.getInt();
                if (len < 0 || len > buf.remaining()) {
                    throw new IOException(file + ": token " + i + " has length " + len + ": corrupt or truncated");
                }
                byte[] b = new byte[len];
                buf.get(b);
                pieces[i] = new String(b, StandardCharsets.UTF_8);
            }
        } catch (java.nio.BufferUnderflowException e) {
            throw new IOException(file + ": truncated llama2.c tokenizer (expected " + vocabSize + " tokens)");
        }
        return new Llama2cTokenizer(pieces, scores);
    }

    @Override
    public int[] encode(String text) {
        if (text.isEmpty()) {
            return new int[0];
        }
        // 1. dummy prefix + one symbol per UTF-8 character (or per byte when unknown)
        List<Integer> symbols = new ArrayList<>();
        symbols.add(ids.get(" "));
        text.codePoints().forEach(cp -> {
            String ch = new String(Character.toChars(cp));
            Integer id = ids.get(ch);
            if (id != null) {
                symbols.add(id);
            } else {
                for (byte b : ch.getBytes(StandardCharsets.UTF_8)) {
                    symbols.add((b & 0xFF) + BYTE_OFFSET);
                }
            }
        });
        // 2. merge best-scoring adjacent pairs; a linked list over positions, a heap over candidates
        int n = symbols.size();
        int[] tok = new int[n];
        int[] next = new int[n];
        int[] prev = new int[n];
        for (int i = 0; i < n; i++) {
            tok[i] = symbols.get(i);
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
        }
        PriorityQueue<Candidate> heap = new PriorityQueue<>(BEST_FIRST);
        for (int i = 0; i + 1 < n; i++) {
            offer(heap, tok, i, i + 1);
        }
        while (!heap.isEmpty()) {
            Candidate c = heap.poll();
            int left = c.left();
            int right = c.right();
            if (next[left] != right || c.leftToken() != tok[left] || c.rightToken() != tok[right]) {
                continue; // stale: one side was merged since this candidate was queued
            }
            tok[left] = c.merged();
            tok[right] = -1;
            next[left] = next[right];
            if (next[right] >= 0) {
                prev[next[right]] = left;
            }
            if (prev[left] >= 0) {
                offer(heap, tok, prev[left], left);
            }
            if (next[left] >= 0) {
                offer(heap, tok, left, next[left]);
            }
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i >= 0; i = next[i]) {
            out.add(tok[i]);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** A mergeable adjacent pair, remembered with the tokens it had when queued. */
    private record Candidate(int left, int right, int leftToken, int rightToken, int merged, float score) {}

    /** Highest score first; leftmost first among equal scores (run.c's strict '>' scan). */
    private static final Comparator<Candidate> BEST_FIRST =
            Comparator.comparingDouble((Candidate c) -> -c.score()).thenComparingInt(Candidate::left);

    /** Queues the pair (left, right) if their concatenation is a vocabulary entry. */
    private void offer(PriorityQueue<Candidate> heap, int[] tok, int left, int right) {
        Integer merged = ids.get(pieces[tok[left]] + pieces[tok[right]]);
        if (merged != null) {
            heap.add(new Candidate(left, right, tok[left], tok[right], merged, scores[merged]));
        }
    }

    @Override
    public String decode(int[] tokens) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean first = true;
        for (int id : tokens) {
            if (id == BOS || id == EOS || id == 0) {
                continue;
            }
            String p = pieces[id];
            if (isByte(id)) {
                bytes.write(id - BYTE_OFFSET);
            } else {
                if (first && p.startsWith(" ")) {
                    p = p.substring(1); // the dummy prefix added by encode
                }
                bytes.writeBytes(p.getBytes(StandardCharsets.UTF_8));
            }
            first = false;
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Tokens 3..258 stand for the raw bytes 0..255. */
    static boolean isByte(int id) {
        return id >= BYTE_OFFSET && id < BYTE_OFFSET + 256;
    }

    @Override
    public int bosId() {
        return BOS;
    }

    @Override
    public int eosId() {
        return EOS;
    }

    @Override
    public int vocabSize() {
        return pieces.length;
    }

    /** The vocabulary entry of {@code id}, as stored (spaces, not '▁'). */
    public String piece(int id) {
        return pieces[id];
    }

    /** The merge score of {@code id}. */
    public float score(int id) {
        return scores[id];
    }
}
