package prunekit.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * How a pruned model is judged, the papers' protocol adapted to the corpora reachable here. The
 * papers calibrate on C4 (broad web text) and measure perplexity on WikiText-2 (expository
 * encyclopaedia prose), so calibration and evaluation never share a domain. Our analogue:
 * calibrate on <b>brown</b> — the Brown corpus samples 15 genres, the nearest we have to C4's breadth —
 * and evaluate on <b>sotu</b> (State of the Union addresses: formal expository prose, the nearest to
 * WikiText's register) and <b>moby-dick</b> (19th-century fiction, far from both), always on their
 * test splits. The in-domain number (brown test) is reported beside them, since in-domain
 * calibration favours every data-driven method and the compensation.
 *
 * <p>Perplexity is measured at 128 tokens (PAPERS.md) and at the calibration length; a full-size run
 * scores at least 32,768 tokens per corpus.
 *
 * @param calibration corpus whose calibration split feeds every data-driven method (brown)
 * @param crossDomain corpora measured on their test splits, none of them the calibration corpus
 *                    (sotu, moby-dick)
 * @param inDomain corpus measured beside them, the calibration corpus's own test split (brown); null for none
 * @param seqLens window lengths of the perplexity measurements (128, 256: PAPERS.md's 128 and the
 *                calibration length of the CPU runs)
 * @param evalTokens scored tokens per corpus and length (32,768; CI runs pass fewer)
 */
public record Protocol(String calibration, List<String> crossDomain, String inDomain, List<Integer> seqLens,
                       long evalTokens) {

    /** brown → sotu, moby-dick (+ brown in-domain), at 128 and 256 tokens, 32,768 tokens each. */
    public static final Protocol DEFAULT = new Protocol("brown", List.of("sotu", "moby-dick"), "brown",
            List.of(128, 256), 32_768);

    public Protocol {
        crossDomain = List.copyOf(crossDomain);
        seqLens = List.copyOf(seqLens);
        if (crossDomain.contains(calibration)) {
            throw new IllegalArgumentException("cross-domain corpora " + crossDomain + " include the calibration corpus '"
                    + calibration + "': evaluate it as inDomain instead");
        }
        if (seqLens.isEmpty()) throw new IllegalArgumentException("seqLens is empty: give at least one window length");
        if (evalTokens < 1) throw new IllegalArgumentException("evalTokens must be >= 1, got " + evalTokens);
    }

    /** This protocol with another token budget (CI runs, quick looks). */
    public Protocol withEvalTokens(long n) {
        return new Protocol(calibration, crossDomain, inDomain, seqLens, n);
    }

    /**
     * The protocol that calibrates on {@code calibration} and measures {@code corpora}: those other
     * than the calibration corpus are cross-domain, the calibration corpus (if listed) in-domain.
     */
    public static Protocol of(String calibration, List<String> corpora, List<Integer> seqLens, long evalTokens) {
        List<String> cross = corpora.stream().filter(c -> !c.equals(calibration)).toList();
        return new Protocol(calibration, cross, corpora.contains(calibration) ? calibration : null, seqLens, evalTokens);
    }

    /** This protocol at other window lengths. */
    public Protocol withSeqLens(List<Integer> lengths) {
        return new Protocol(calibration, crossDomain, inDomain, lengths, evalTokens);
    }

    /** Every evaluated corpus: the cross-domain ones first, then the in-domain one. */
    public List<String> evalCorpora() {
        List<String> all = new ArrayList<>(crossDomain);
        if (inDomain != null && !all.contains(inDomain)) all.add(inDomain);
        return all;
    }

    /** Whether {@code corpus} is the calibration corpus (its number is in-domain). */
    public boolean isInDomain(String corpus) {
        return corpus.equals(calibration);
    }
}
