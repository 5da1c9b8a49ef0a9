package prunekit.model.io;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts a llama2.c {@code tokenizer.bin} (a SentencePiece BPE vocabulary with merge scores) into
 * a Hugging Face {@code tokenizer.json}, so saved stories models open in transformers. As
 * transformers' own SentencePiece converter does, merges are all splits (a, b) of each piece into two
 * vocabulary entries, ranked by the piece's score; spaces become '▁' and a '▁' is prepended, which
 * is run.c's dummy prefix.
 */
final class Llama2cTokenizerJson {

    private static final String[] SPECIAL = {"<unk>", "<s>", "</s>"};

    private Llama2cTokenizerJson() {}

    static String build(Llama2cTokenizer tok) {
        int n = tok.vocabSize();
        String[] pieces = new String[n];
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < n; i++) {
            pieces[i] = i < SPECIAL.length ? SPECIAL[i]
                    : Llama2cTokenizer.isByte(i) ? String.format("<0x%02X>", i - 3)
                    : tok.piece(i).replace(' ', '▁');
            ids.putIfAbsent(pieces[i], i);
        }
        record Merge(String left, String right, float score, int leftId, int rightId) {}
        List<Merge> merges = new ArrayList<>();
        for (int i = SPECIAL.length + 256; i < n; i++) {
            String p = pieces[i];
            int[] cps = p.codePoints().toArray();
            for (int k = 1; k < cps.length; k++) {
                String a = new String(cps, 0, k);
                String b = new String(cps, k, cps.length - k);
                if (ids.containsKey(a) && ids.containsKey(b)) {
                    merges.add(new Merge(a, b, tok.score(i), ids.get(a), ids.get(b)));
                }
            }
        }
        merges.sort(Comparator.comparingDouble((Merge m) -> -m.score())
                .thenComparingInt(Merge::leftId).thenComparingInt(Merge::rightId));

        JsonObject vocab = new JsonObject();
        for (int i = 0; i < n; i++) {
            if (!vocab.has(pieces[i])) {
                vocab.addProperty(pieces[i], i);
            }
        }
        JsonArray mergeList = new JsonArray();
        merges.forEach(m -> mergeList.add(m.left() + " " + m.right()));
        JsonArray added = new JsonArray();
        for (int i = 0; i < SPECIAL.length; i++) {
            added.add(TokenizerJsonParts.addedToken(i, SPECIAL[i], true));
        }
        JsonObject model = new JsonObject();
        model.addProperty("type", "BPE");
        model.add("dropout", null);
        model.addProperty("unk_token", "<unk>");
        model.add("continuing_subword_prefix", null);
        model.add("end_of_word_suffix", null);
        model.addProperty("fuse_unk", true);
        model.addProperty("byte_fallback", true);
        model.addProperty("ignore_merges", false);
        model.add("vocab", vocab);
        model.add("merges", mergeList);

        JsonObject root = new JsonObject();
        root.addProperty("version", "1.0");
        root.add("truncation", null);
        root.add("padding", null);
        root.add("added_tokens", added);
        root.add("normalizer", TokenizerJsonParts.sequence("normalizers",
                obj("type", "Prepend", "prepend", "▁"), replace(" ", "▁")));
        root.add("pre_tokenizer", null);
        root.add("post_processor", bosTemplate());
        JsonObject strip = obj("type", "Strip", "content", " ");
        strip.addProperty("start", 1);
        strip.addProperty("stop", 0);
        root.add("decoder", TokenizerJsonParts.sequence("decoders", replace("▁", " "), obj("type", "ByteFallback"),
                obj("type", "Fuse"), strip));
        root.add("model", model);
        return new GsonBuilder().serializeNulls().disableHtmlEscaping().create().toJson(root);
    }

    /** Post-processor that starts every sequence with {@code <s>}, as llama2.c's generate does. */
    private static JsonObject bosTemplate() {
        JsonObject bos = new JsonObject();
        JsonObject bosRef = obj("id", "<s>");
        bosRef.addProperty("type_id", 0);
        bos.add("SpecialToken", bosRef);
        JsonObject seqA = new JsonObject();
        JsonObject a = obj("id", "A");
        a.addProperty("type_id", 0);
        seqA.add("Sequence", a);
        JsonObject seqB = new JsonObject();
        JsonObject bRef = obj("id", "B");
        bRef.addProperty("type_id", 1);
        seqB.add("Sequence", bRef);
        JsonArray single = new JsonArray();
        single.add(bos);
        single.add(seqA);
        JsonArray pair = new JsonArray();
        pair.add(bos);
        pair.add(seqA);
        pair.add(seqB);
        JsonObject special = new JsonObject();
        JsonObject entry = obj("id", "<s>");
        JsonArray ids = new JsonArray();
        ids.add(1);
        entry.add("ids", ids);
        JsonArray toks = new JsonArray();
        toks.add("<s>");
        entry.add("tokens", toks);
        special.add("<s>", entry);
        JsonObject t = obj("type", "TemplateProcessing");
        t.add("single", single);
        t.add("pair", pair);
        t.add("special_tokens", special);
        return t;
    }

    private static JsonObject replace(String from, String to) {
        JsonObject pattern = new JsonObject();
        pattern.addProperty("String", from);
        JsonObject r = obj("type", "Replace", "content", to);
        r.add("pattern", pattern);
        return r;
    }

    private static JsonObject obj(String... kv) {
        JsonObject o = new JsonObject();
        for (int i = 0; i < kv.length; i += 2) {
            o.addProperty(kv[i], kv[i + 1]);
        }
        return o;
    }
}
