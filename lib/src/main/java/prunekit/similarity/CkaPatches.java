package prunekit.similarity;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A CKA matrix read as SLM reads its heat map (Ding et al., arXiv 2502.19159, Sec. 3): the "patches" —
 * runs of neighbouring layers whose outputs are nearly interchangeable — and the range SLM may merge.
 *
 * <p>A patch grows greedily from its first layer s: layer e joins while CKA(s, e) &ge; tau. The paper picks
 * its merge range by eye, where the patches are: layers before the first patch of two or more layers
 * (the bottom of the network, where each layer changes the representation most) and the last layer are
 * left alone. {@link #mergeRange} makes that reading a rule: [first layer of the lowest patch of at least
 * two layers that does not start at layer 0, layers − 2]; [1, layers − 2] when there is none.
 *
 * @param tau     the CKA a layer needs with a patch's first layer to join it
 * @param patches [first, last] layer of each patch, bottom first (single layers included)
 * @param near    mean CKA of layers 1 apart
 * @param mid     mean CKA of layers 2 to 4 apart
 * @param far     mean CKA of layers 5 or more apart
 */
public record CkaPatches(double tau, List<int[]> patches, double near, double mid, double far) {

    /** The patches of {@code cka} at {@code tau}, and its mean CKA by distance. */
    public static CkaPatches of(double[][] cka, double tau) {
        int n = cka.length;
        double[] sum = new double[3];
        int[] count = new int[3];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                int bucket = j - i == 1 ? 0 : j - i < 5 ? 1 : 2;
                sum[bucket] += cka[i][j];
                count[bucket]++;
            }
        }
        List<int[]> patches = new ArrayList<>();
        for (int start = 0; start < n; ) {
            int end = start;
            while (end + 1 < n && cka[start][end + 1] >= tau) end++;
            patches.add(new int[] {start, end});
            start = end + 1;
        }
        return new CkaPatches(tau, List.copyOf(patches), sum[0] / count[0], sum[1] / count[1], sum[2] / count[2]);
    }

    /** [L, H]: the layers SLM may merge, read off the patches (class comment). */
    public int[] mergeRange() {
        int layers = patches.get(patches.size() - 1)[1] + 1;
        int low = patches.stream().filter(p -> p[0] > 0 && p[1] > p[0] && p[0] < layers - 2)
                .mapToInt(p -> p[0]).findFirst().orElse(1);
        return new int[] {low, layers - 2};
    }

    /** e.g. {@code mean CKA 1 apart 0.923, 2-4 apart 0.796, 5+ apart 0.419; patches at CKA >= 0.90: 0 | 1-8 | 9}. */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "mean CKA of layers 1 apart %.3f, 2-4 apart %.3f, 5+ apart %.3f; patches at CKA >= %.2f: %s",
                near, mid, far, tau, patches.stream().map(p -> p[0] == p[1] ? "" + p[0] : p[0] + "-" + p[1])
                        .collect(Collectors.joining(" | ")));
    }
}
