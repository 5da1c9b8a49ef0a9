package prunekit.width;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * One weight matrix's share of a structure's units: the units lie side by side along {@code axis},
 * equally wide. Along axis 0 each unit is a block of rows (the output channels it produces: rows of
 * q, k, v, gate, up), along axis 1 a block of columns (the input channels it feeds: columns of o and
 * down). A row or column is one <em>vector</em> in LLM-Pruner's sense, the finest structure scored.
 *
 * @param weight   the matrix, (out, in)
 * @param gradient dL/dW of the same shape, or null where the importance reads none
 * @param axis     0: units are blocks of rows; 1: blocks of columns
 */
public record UnitSlice(NDArray weight, NDArray gradient, int axis) {

    public UnitSlice {
        if (axis != 0 && axis != 1) {
            throw new IllegalArgumentException("axis must be 0 (rows) or 1 (columns), got " + axis);
        }
    }

    /** Entries of a matrix of the weight's shape summed over each vector: (rows) or (columns). */
    public NDArray perVector(NDArray entries) {
        return entries.sum(new int[] {1 - axis});
    }

    /** Per-vector values (n) summed over each unit's block of n / units vectors: (units). */
    public NDArray perUnit(NDArray perVector, int units) {
        long n = perVector.getShape().get(0);
        if (n % units != 0) {
            throw new IllegalArgumentException(n + " vectors do not split into " + units + " equal units");
        }
        return perVector.reshape(units, n / units).sum(new int[] {1});
    }

    /** Adds a (units) array to a running total, in double precision. */
    public static void add(double[] total, NDArray perUnit) {
        double[] v = perUnit.toType(DataType.FLOAT64, false).toDoubleArray();
        if (v.length != total.length) {
            throw new IllegalStateException(v.length + " unit scores for " + total.length + " units");
        }
        for (int i = 0; i < v.length; i++) {
            total[i] += v[i];
        }
    }
}
