package prunekit.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;
import prunekit.sparsity.SparsityPattern;

/** {@code --sparsity S} and {@code --nm N:M} as {@link SparsityPattern}s; the pattern's own check names what is wrong. */
final class Patterns {

    private Patterns() {}

    /** {@code 0.5}: the fraction of every row zeroed. */
    static final class Unstructured implements ITypeConverter<SparsityPattern> {
        @Override
        public SparsityPattern convert(String value) {
            try {
                return SparsityPattern.unstructured(Double.parseDouble(value));
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a number in [0, 1)");
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code 2:4}: N of every M consecutive weights zeroed. */
    static final class Nm implements ITypeConverter<SparsityPattern> {
        @Override
        public SparsityPattern convert(String value) {
            try {
                return SparsityPattern.parseNm(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** Either, {@code 0.5} or {@code 2:4}. */
    static SparsityPattern parse(String value) {
        return value.contains(":") ? new Nm().convert(value) : new Unstructured().convert(value);
    }

    /** What {@link #parse} reads back: {@code 0.5} or {@code 2:4}. */
    static String text(SparsityPattern p) {
        return p.isNm() ? p.label() : Double.toString(p.sparsity());
    }

    /** A list element checked by {@link #parse} and kept as text, so that help shows the defaults as typed. */
    static final class Either implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            parse(value);
            return value;
        }
    }
}
