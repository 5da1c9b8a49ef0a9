package prunekit.eval;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import prunekit.model.Tokenizer;

/** Test tokenizer: one token per UTF-8 byte (ids 0-255), BOS = 256 (optional), EOS = 257. */
final class ByteTokenizer implements Tokenizer {

    static final int BOS = 256;
    static final int EOS = 257;
    private final boolean hasBos;

    ByteTokenizer(boolean hasBos) {
        this.hasBos = hasBos;
    }

    @Override
    public int[] encode(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[b.length];
        for (int i = 0; i < b.length; i++) ids[i] = b[i] & 0xff;
        return ids;
    }

    @Override
    public String decode(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int id : ids) if (id < 256) out.write(id);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override public int bosId() { return hasBos ? BOS : -1; }

    @Override public int eosId() { return EOS; }

    @Override public int vocabSize() { return 258; }
}
