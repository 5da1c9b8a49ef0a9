package prunekit.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test (class or method) that reads downloaded files under {@code data/cache/} (bundled models,
 * corpora; filled by {@code environment/fetch.sh}). Where a listed file is missing the test is
 * skipped, not failed, and the reason is printed, so {@code mvn test} on a machine without the cache
 * runs everything else and says what it left out. Tagged {@code data}: {@code mvn test
 * -DexcludedGroups=data} leaves these tests out, {@code -Dgroups=data} runs only them.
 *
 * <pre>{@code @NeedsCache(NeedsCache.SMOLLM2)
 * class SomeSmolLm2Test { ... }}</pre>
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("data")
@ExtendWith(NeedsCacheCondition.class)
public @interface NeedsCache {

    /** The SmolLM2-135M-Instruct GGUF behind {@code Models.load("smollm2")}. */
    String SMOLLM2 = "models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf";
    /** The stories15M llama2.c checkpoint behind {@code Models.load("stories15m")}. */
    String STORIES15M = "models/stories15m/model.bin";
    /** Its tokenizer. */
    String STORIES15M_TOKENIZER = "models/stories15m/tokenizer.bin";
    /** The corpora as fetched ({@code Corpora.NAMES}). */
    String SOTU = "corpora/sotu";
    String MOBY_DICK = "corpora/moby-dick";
    String BROWN = "corpora/brown";
    String NLP_CORPUS = "corpora/nlp-corpus";

    /** Paths relative to {@code data/cache/} that must exist. */
    String[] value();
}
