package prunekit.recover;

/**
 * Learning rate with linear warm-up then cosine decay to zero, as Hugging Face transformers'
 * {@code get_cosine_schedule_with_warmup}: step s (0-based) of {@code total} runs at
 * {@code peak · s / warmup} while s &lt; warmup, then at
 * {@code peak · ½ (1 + cos(π · (s − warmup) / (total − warmup)))}.
 *
 * @param peak the learning rate after warm-up
 * @param warmup warm-up steps (0 = none)
 * @param total steps of the whole run
 */
public record Schedule(double peak, int warmup, int total) {

    public Schedule {
        if (!(peak > 0) || !Double.isFinite(peak)) throw new IllegalArgumentException("learning rate must be > 0, got " + peak);
        if (total < 1) throw new IllegalArgumentException("steps must be >= 1, got " + total);
        if (warmup < 0 || warmup > total) {
            throw new IllegalArgumentException("warm-up steps must be in [0, " + total + "], got " + warmup);
        }
    }

    /** The learning rate of step {@code s} (0-based). */
    public double at(int s) {
        if (s < warmup) return peak * s / warmup;
        if (total == warmup) return peak;
        double progress = (double) (s - warmup) / (total - warmup);
        return peak * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
}
