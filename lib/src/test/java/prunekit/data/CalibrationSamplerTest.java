package prunekit.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class CalibrationSamplerTest {

    private static final int[] STREAM = IntStream.range(0, 1000).toArray(); // token i at offset i

    @Test
    void sameSeedSameWindows() {
        var cfg = new CalibrationSampler.Config(8, 16, 42);
        List<int[]> a = CalibrationSampler.sample(STREAM, 5000, cfg);
        List<int[]> b = CalibrationSampler.sample(STREAM, 5000, cfg);
        for (int i = 0; i < 8; i++) assertArrayEquals(a.get(i), b.get(i));
        List<int[]> c = CalibrationSampler.sample(STREAM, 5000, new CalibrationSampler.Config(8, 16, 43));
        assertTrue(IntStream.range(0, 8).anyMatch(i -> !Arrays.equals(a.get(i), c.get(i))));
    }

    @Test
    void windowsAreBosPlusContiguousStreamTokens() {
        for (int[] w : CalibrationSampler.sample(STREAM, 5000, new CalibrationSampler.Config(20, 16, 0))) {
            assertEquals(16, w.length);
            assertEquals(5000, w[0]);
            for (int t = 2; t < 16; t++) assertEquals(w[t - 1] + 1, w[t]);
        }
        for (int[] w : CalibrationSampler.sample(STREAM, -1, new CalibrationSampler.Config(20, 16, 0))) {
            assertEquals(16, w.length);
            for (int t = 1; t < 16; t++) assertEquals(w[t - 1] + 1, w[t]);
        }
    }

    @Test
    void tooShortStreamIsAnError() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> CalibrationSampler.sample(new int[10], 1, new CalibrationSampler.Config(1, 16, 0)));
        assertTrue(e.getMessage().contains("10 tokens"), e.getMessage());
    }
}
