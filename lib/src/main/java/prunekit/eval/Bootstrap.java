package prunekit.eval;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Percentile bootstrap (Efron and Tibshirani 1993, ch. 13) of the mean of per-unit values: the
 * units are evaluation windows for perplexity and items for multiple choice. Resample the n units
 * with replacement {@code resamples} times, take each resample's mean, and report the
 * {@code (1 - level) / 2} and {@code (1 + level) / 2} quantiles of those means.
 *
 * <p>Seeded: the same values, resamples and seed give the same interval on every run and machine.
 * A paired comparison ({@link PairedComparison}) bootstraps the per-unit differences of two models
 * the same way, so the shared difficulty of a unit cancels.
 *
 * @param resamples number of bootstrap resamples (2,000: quantiles of a 95 % interval stable to
 *                  about 1 % of its width)
 * @param seed seed of the resampling (0)
 * @param level coverage of the interval (0.95)
 */
public record Bootstrap(int resamples, long seed, double level) {

    /** 2,000 resamples, seed 0, 95 %. */
    public static final Bootstrap DEFAULT = new Bootstrap(2000, 0, 0.95);

    public Bootstrap {
        if (resamples < 100) throw new IllegalArgumentException("resamples must be >= 100, got " + resamples);
        if (!(level > 0 && level < 1)) throw new IllegalArgumentException("level must be in (0, 1), got " + level);
    }

    /**
     * A confidence interval.
     *
     * @param low lower end
     * @param high upper end
     */
    public record Interval(double low, double high) {
        /** An interval with no information (fewer than two units). */
        public static final Interval NONE = new Interval(Double.NaN, Double.NaN);

        /** Whether {@code x} lies inside (ends included). */
        public boolean contains(double x) {
            return low <= x && x <= high;
        }

        /** This interval with {@code f} applied to both ends ({@code f} increasing, e.g. exp). */
        public Interval map(java.util.function.DoubleUnaryOperator f) {
            return new Interval(f.applyAsDouble(low), f.applyAsDouble(high));
        }

        /** {@code lo,hi} as the CLI prints it. */
        @Override
        public String toString() {
            return low + "," + high;
        }
    }

    /** The interval of the mean of {@code values} ({@link Interval#NONE} for fewer than two). */
    public Interval mean(double[] values) {
        int n = values.length;
        if (n < 2) return Interval.NONE;
        // 1. B resample means: each draws n units with replacement.
        SplittableRandom rng = new SplittableRandom(seed);
        double[] means = new double[resamples];
        for (int b = 0; b < resamples; b++) {
            double sum = 0;
            for (int i = 0; i < n; i++) sum += values[rng.nextInt(n)];
            means[b] = sum / n;
        }
        // 2. Their (1 - level)/2 and (1 + level)/2 quantiles.
        Arrays.sort(means);
        return new Interval(quantile(means, (1 - level) / 2), quantile(means, (1 + level) / 2));
    }

    /** Linear interpolation between order statistics (numpy's default quantile). */
    static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
