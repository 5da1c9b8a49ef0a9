package prunekit.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** GGML block formats decoded against values worked out by hand from the format's definition. */
class DequantizeTest {

    @Test
    void halfPrecisionBitPatterns() {
        assertEquals(1.0f, Dequantize.halfToFloat((short) 0x3C00));
        assertEquals(-2.0f, Dequantize.halfToFloat((short) 0xC000));
        assertEquals(65504f, Dequantize.halfToFloat((short) 0x7BFF));
        assertEquals(0.5f, Dequantize.halfToFloat((short) 0x3800));
        assertEquals((float) Math.pow(2, -24), Dequantize.halfToFloat((short) 0x0001));   // smallest subnormal
        assertEquals(Float.POSITIVE_INFINITY, Dequantize.halfToFloat((short) 0x7C00));
        assertEquals(-0.0f, Dequantize.halfToFloat((short) 0x8000));
    }

    @Test
    void bfloat16IsTheTopHalfOfAFloat() {
        assertEquals(1.0f, Dequantize.bf16ToFloat((short) 0x3F80));
        assertEquals(-3.0f, Dequantize.bf16ToFloat((short) 0xC040));
    }

    @Test
    void q4_0Block() {
        // d = 0.5; byte j holds element j (low nibble) and element j+16 (high nibble); w = d·(q − 8)
        ByteBuffer b = le(18).putShort((short) 0x3800);
        for (int j = 0; j < 16; j++) {
            b.put((byte) ((15 - j) << 4 | j));
        }
        float[] w = Dequantize.toFloat(GgmlType.Q4_0, b.flip(), 32);
        float[] expected = new float[32];
        for (int j = 0; j < 16; j++) {
            expected[j] = 0.5f * (j - 8);
            expected[j + 16] = 0.5f * ((15 - j) - 8);
        }
        assertArrayEquals(expected, w);
    }

    @Test
    void q4_1Block() {
        // d = 2, m = −1: w = d·q + m
        ByteBuffer b = le(20).putShort((short) 0x4000).putShort((short) 0xBC00);
        for (int j = 0; j < 16; j++) {
            b.put((byte) (3 << 4 | 1));
        }
        float[] w = Dequantize.toFloat(GgmlType.Q4_1, b.flip(), 32);
        for (int j = 0; j < 16; j++) {
            assertEquals(1f, w[j]);       // 2·1 − 1
            assertEquals(5f, w[j + 16]);  // 2·3 − 1
        }
    }

    @Test
    void q8_0Block() {
        // d = −0.5: w = d·q with q signed
        ByteBuffer b = le(34).putShort((short) 0xB800);
        for (int j = 0; j < 32; j++) {
            b.put((byte) (j - 16));
        }
        float[] w = Dequantize.toFloat(GgmlType.Q8_0, b.flip(), 32);
        for (int j = 0; j < 32; j++) {
            assertEquals(-0.5f * (j - 16), w[j]);
        }
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }
}
