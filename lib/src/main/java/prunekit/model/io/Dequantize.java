package prunekit.model.io;

import java.nio.ByteBuffer;

/**
 * Dequantisation of GGML blocks to float32. A Q4/Q8 block holds 32 weights and a float16 scale
 * (and, for Q4_1, a float16 minimum); in a Q4 block the low nibble of byte j is element j and the
 * high nibble element j + 16.
 */
public final class Dequantize {

    private Dequantize() {}

    /** Decodes {@code n} elements of type {@code type} from {@code buf} (little-endian). */
    public static float[] toFloat(GgmlType type, ByteBuffer buf, int n) {
        float[] out = new float[n];
        switch (type) {
            case F32:
                buf.asFloatBuffer().get(out);
                break;
            case F16:
                for (int i = 0; i < n; i++) {
                    out[i] = halfToFloat(buf.getShort());
                }
                break;
            case BF16:
                for (int i = 0; i < n; i++) {
                    out[i] = bf16ToFloat(buf.getShort());
                }
                break;
            case Q8_0:
                for (int b = 0; b < n / 32; b++) {
                    float d = halfToFloat(buf.getShort());
                    for (int j = 0; j < 32; j++) {
                        out[b * 32 + j] = d * buf.get();
                    }
                }
                break;
            case Q4_0:
            case Q4_1:
                for (int b = 0; b < n / 32; b++) {
                    float d = halfToFloat(buf.getShort());
                    float m = type == GgmlType.Q4_1 ? halfToFloat(buf.getShort()) : -8 * d;
                    for (int j = 0; j < 16; j++) {
                        int q = buf.get() & 0xFF;
                        out[b * 32 + j] = d * (q & 0x0F) + m;
                        out[b * 32 + j + 16] = d * (q >>> 4) + m;
                    }
                }
                break;
            default:
                throw new IllegalArgumentException("no dequantiser for " + type);
        }
        return out;
    }

    /** IEEE 754 half precision to float. */
    public static float halfToFloat(short h) {
        int bits = h & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1F;
        int mant = bits & 0x3FF;
        if (exp == 0x1F) {                                   // inf / NaN
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);           // ±0
            }
            float v = mant / 1024f / 16384f;                 // subnormal: mant · 2^-24
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** bfloat16 to float: the top 16 bits of a float32. */
    public static float bf16ToFloat(short b) {
        return Float.intBitsToFloat((b & 0xFFFF) << 16);
    }
}
