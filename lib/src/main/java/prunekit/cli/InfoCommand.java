package prunekit.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import prunekit.model.LlamaConfig;
import prunekit.model.LlamaModel;
import prunekit.sparsity.WeightPruner;

/** {@code prunekit info}: the model's config as key=value lines. */
@Command(name = "info", description = "Print the model's config, sparsity and device as key=value lines.")
final class InfoCommand implements Callable<Integer> {

    @Mixin
    ModelOption model;

    @Override
    public Integer call() {
        try (LlamaModel m = model.load()) {
            LlamaConfig c = m.config();
            System.out.println("name=" + c.name());
            System.out.println("layers=" + c.layers());
            System.out.println("hidden=" + c.hidden());
            System.out.println("intermediate=" + c.intermediate());
            System.out.println("heads=" + c.heads());
            System.out.println("kv_heads=" + c.kvHeads());
            System.out.println("head_dim=" + c.headDim());
            System.out.println("vocab=" + c.vocabSize());
            System.out.println("max_seq_len=" + c.maxSequenceLength());
            System.out.println("rope_theta=" + c.ropeTheta());
            System.out.println("rms_eps=" + c.rmsEps());
            System.out.println("tied_embeddings=" + c.tiedEmbeddings());
            System.out.println("bos_id=" + m.tokenizer().bosId());
            System.out.println("eos_id=" + m.tokenizer().eosId());
            System.out.println("parameters=" + c.parameterCount());
            System.out.println("sparsity=" + WeightPruner.sparsity(m));   // zeros in the decoder's linear weights
            System.out.println("device=" + m.device());
        }
        return 0;
    }
}
