package prunekit.cli;

import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;
import prunekit.model.LlamaModel;
import prunekit.prune.ProjectionCompensation;
import prunekit.recover.CompensationTraining;

/**
 * {@code prune}'s compensation options: {@code --compensate} alone (or {@code --compensate closed-form}) fits
 * GradMAP's projection in closed form ({@link ProjectionCompensation}); {@code --compensate trainable} trains it
 * on the language-modelling loss over the same calibration windows ({@link CompensationTraining}), starting
 * from {@code --compensation-start} (identity: the pruned model; closed-form: the ridge map), for
 * {@code --compensation-steps} AdamW steps at peak rate {@code --compensation-lr}. Either way the map goes
 * at the pruned layer whose mean output shifts most, and is folded into its down projection.
 */
final class CompensationOptions {

    static final String CLOSED_FORM = "closed-form";
    static final String TRAINABLE = "trainable";
    static final String IDENTITY = "identity";

    private static final CompensationTraining.Config DEFAULT = CompensationTraining.Config.DEFAULT;

    @Option(names = "--compensate", arity = "0..1", paramLabel = "KIND", fallbackValue = CLOSED_FORM,
            description = "layer removal: GradMAP's projection at the layer whose mean shifts most, "
                    + CLOSED_FORM + " (the default when no KIND is given) or " + TRAINABLE
                    + " (trained on the next-token loss over the calibration windows)")
    String kind;

    @Option(names = "--compensation-start", paramLabel = "FROM",
            description = "--compensate " + TRAINABLE + ": where the map starts, " + IDENTITY + " or " + CLOSED_FORM
                    + " (default " + CLOSED_FORM + ")")
    String start;

    @Option(names = "--compensation-steps", paramLabel = "N",
            description = "--compensate " + TRAINABLE + ": optimizer steps of 4 windows (default 32)")
    Integer steps;

    @Option(names = "--compensation-lr", paramLabel = "X",
            description = "--compensate " + TRAINABLE + ": peak learning rate (warm-up, then cosine; default 1e-4)")
    Double lr;

    /** Whether any compensation was asked for. */
    boolean any() {
        return kind != null;
    }

    /**
     * Checks the options together, before anything loads; the message names the bad value and what is
     * accepted, for {@code usage} to turn into a usage error.
     */
    String problem() {
        if (kind != null && !kind.equals(CLOSED_FORM) && !kind.equals(TRAINABLE)) {
            return "--compensate takes " + CLOSED_FORM + " or " + TRAINABLE + " (or nothing: " + CLOSED_FORM + "), got '"
                    + kind + "'";
        }
        boolean tuned = start != null || steps != null || lr != null;
        if (tuned && !TRAINABLE.equals(kind)) {
            return "--compensation-start, --compensation-steps and --compensation-lr apply to --compensate " + TRAINABLE
                    + (kind == null ? ", which was not given" : ", not to --compensate " + kind);
        }
        if (start != null && !start.equals(IDENTITY) && !start.equals(CLOSED_FORM)) {
            return "--compensation-start takes " + IDENTITY + " or " + CLOSED_FORM + ", got '" + start + "'";
        }
        if (steps != null && steps <= 0) return "--compensation-steps must be >= 1, got " + steps;
        if (lr != null && !(lr > 0 && Double.isFinite(lr))) return "--compensation-lr must be a finite number > 0, got " + lr;
        return null;
    }

    /** The training settings: the defaults of {@link CompensationTraining.Config#DEFAULT} with these options. */
    CompensationTraining.Config training() {
        CompensationTraining.Config c = DEFAULT.withInit(IDENTITY.equals(start) ? CompensationTraining.Init.IDENTITY
                : CompensationTraining.Init.CLOSED_FORM);
        if (steps != null) c = c.withSteps(steps);
        if (lr != null) c = c.withLr(lr);
        return c;
    }

    /**
     * Compensates {@code pruned} (edited in place) for the layers removed from {@code original}, prints what
     * it did as key=value lines and adds a line to {@code provenance}.
     */
    void apply(LlamaModel original, LlamaModel pruned, int[] survivors, int[][] windows, Map<String, String> provenance) {
        long t0 = System.nanoTime();
        if (kind.equals(CLOSED_FORM)) {
            int j = ProjectionCompensation.largestShiftLayer(original, pruned, survivors, windows, ProjectionCompensation.Config.DEFAULT);
            ProjectionCompensation.Result c = ProjectionCompensation.apply(original, pruned, j, survivors[j], windows,
                    ProjectionCompensation.Config.DEFAULT);
            provenance.put("compensation", "projection at pruned layer " + j + " (original " + survivors[j] + "), ridge "
                    + c.ridge() + " chosen on held-out windows (Infinity: no map)");
            System.out.println("compensated_layer=" + j);
            System.out.printf("compensation_error_before=%.4g after=%.4g%n", c.errorBefore(), c.errorAfter());
            System.out.printf("held_out_error_before=%.4g after=%.4g ridge=%s%n", c.heldOutBefore(), c.heldOutAfter(), c.ridge());
        } else {
            CompensationTraining.Config config = training();
            CompensationTraining.Result r = CompensationTraining.apply(original, pruned, survivors, windows, config);
            String from = r.init() == CompensationTraining.Init.IDENTITY ? IDENTITY : CLOSED_FORM;
            provenance.put("compensation", String.format(Locale.ROOT, "trainable projection at pruned layer %d (original %d),"
                    + " from %s, %d steps of %d windows, lr %s: calibration loss %.4f -> %.4f nats%s", r.prunedLayer(),
                    r.originalLayer(), from, r.losses().size(), config.batch(), config.lr(), r.lossBefore(), r.lossAfter(),
                    r.stopped() == null ? "" : " (stopped: " + r.stopped() + ")"));
            System.out.println("compensated_layer=" + r.prunedLayer());
            System.out.println("compensation=" + TRAINABLE);
            System.out.println("compensation_start=" + from);
            System.out.println("compensation_steps=" + r.losses().size());
            System.out.println("compensation_lr=" + config.lr());
            System.out.printf(Locale.ROOT, "compensation_loss_before=%.6f after=%.6f%n", r.lossBefore(), r.lossAfter());
            if (r.stopped() != null) System.out.println("compensation_stopped=" + r.stopped());
        }
        System.out.printf(Locale.ROOT, "compensation_seconds=%.2f%n", (System.nanoTime() - t0) / 1e9);
    }
}
