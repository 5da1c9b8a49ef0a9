package prunekit.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import prunekit.data.DataPaths;

/** Skips a {@link NeedsCache} test whose files are missing from {@code data/cache/}, and says so. */
public final class NeedsCacheCondition implements ExecutionCondition {

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Optional<NeedsCache> needs = context.getElement().map(e -> e.getAnnotation(NeedsCache.class));
        if (needs.isEmpty()) return ConditionEvaluationResult.enabled("needs nothing from data/cache");
        Path cache = DataPaths.cache();
        List<String> missing = new ArrayList<>();
        for (String rel : needs.get().value()) {
            if (!Files.exists(cache.resolve(rel))) missing.add(rel);
        }
        if (missing.isEmpty()) return ConditionEvaluationResult.enabled("data/cache has " + String.join(", ", needs.get().value()));
        String reason = "skipped: " + cache + " lacks " + String.join(", ", missing)
                + " (run environment/fetch.sh to download it)";
        String who = context.getTestMethod()
                .map(m -> context.getRequiredTestClass().getSimpleName() + "." + m.getName())
                .orElse(context.getDisplayName());
        System.out.println("[NeedsCache] " + who + " " + reason);
        return ConditionEvaluationResult.disabled(reason);
    }
}
