package prunekit.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import prunekit.data.CalibrationSampler;
import prunekit.importance.BlockInfluence;
import prunekit.importance.PerplexityCriterion;
import prunekit.model.LlamaModel;
import prunekit.model.Models;
import prunekit.prune.LayerMethods;
import prunekit.prune.LayerPruner;

/**
 * Wall time of layer selection (GradMAP's gradient metric in both forms, ShortGPT Block Influence,
 * Shortened-LLaMA PPL) on a model and a small calibration batch, also in units of one forward pass
 * over the batch (robust to a busy machine). A timing check, not a test.
 *
 * <p>{@code gradmap} is the iterative form ({@link LayerMethods#GRADMAP}: one backward pass per
 * removed layer, k passes), {@code gradmap-oneshot} the one-shot form (one backward pass for all k
 * decisions); the other metrics are one-shot. Each line names its form and its scoring passes.
 *
 * <p>Arguments: model (default smollm2), windows (8), seqLen (128), layers to remove (6), corpus (brown),
 * methods (gradmap,gradmap-oneshot,bi,ppl; also ppl-published, the PPL criterion with a full forward
 * pass per candidate).
 */
public final class LayerSelectionTiming {

    private LayerSelectionTiming() {}

    public static void main(String[] args) {
        String spec = args.length > 0 ? args[0] : "smollm2";
        int windows = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int seqLen = args.length > 2 ? Integer.parseInt(args[2]) : 128;
        int k = args.length > 3 ? Integer.parseInt(args[3]) : 6;
        String corpus = args.length > 4 ? args[4] : "brown";
        List<String> which = List.of((args.length > 5 ? args[5] : "gradmap,gradmap-oneshot,bi,ppl").split(","));
        try (LlamaModel model = Models.load(spec)) {
            int[][] cal = CalibrationSampler.sample(corpus, model.tokenizer(),
                    new CalibrationSampler.Config(windows, seqLen, 0)).toArray(new int[0][]);
            System.out.printf("%s, %d windows x %d tokens of %s, remove %d layers%n", model, windows, seqLen, corpus, k);
            PerplexityCriterion.meanNll(model, cal, 4);                          // warm-up
            long t0 = System.nanoTime();
            PerplexityCriterion.meanNll(model, cal, 4);
            double forward = (System.nanoTime() - t0) / 1e9;
            System.out.printf("one forward pass over the batch (micro-batches of 4): %.1f s%n", forward);
            Map<String, LayerMethods.Method> methods = Map.of(
                    "gradmap", LayerMethods.byName(LayerMethods.GRADMAP, 0),
                    "gradmap-oneshot", LayerMethods.byName(LayerMethods.GRADMAP_ONESHOT, 0),
                    "bi", LayerMethods.byName("block-influence", 0),
                    "ppl", LayerMethods.byName("ppl", 0),
                    "ppl-published", new LayerMethods.Method("ppl-published", PerplexityCriterion.AS_PUBLISHED,
                            LayerPruner.Mode.ONE_SHOT));
            for (String name : which) {
                LayerMethods.Method method = methods.get(name);
                if (method == null) throw new IllegalArgumentException("unknown method " + name + "; accepted: " + methods.keySet());
                LayerPruner.Result r = LayerPruner.prune(model, method.metric(), cal, method.config(k));
                r.model().close();
                System.out.printf("%-16s %-10s %d scoring pass(es), %-40s selection %.1f s = %.1f forward passes,"
                        + " removed %s%n", name, r.mode(), r.passSeconds().length, r.metric(), r.selectionSeconds(),
                        r.selectionSeconds() / forward, r.removed());
                System.out.println("  first pass's scores " + Arrays.toString(Arrays.stream(r.scores().get(0))
                        .mapToObj(v -> String.format("%.4g", v)).toArray()));
            }
        }
    }
}
