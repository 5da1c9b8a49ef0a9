package prunekit.scratch;
import ai.djl.Device;
import ai.djl.ndarray.*;
import java.nio.file.Path;
import prunekit.model.*;
import prunekit.model.io.*;
public class Smoke {
  public static void main(String[] a) throws Exception {
    LlamaModel m = GgufLoader.load(Path.of("/work/main/data/cache/models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"), Device.cpu());
    for (int k=0;k<3;k++){ long t0=System.nanoTime(); System.out.println(Generator.greedy(m, "The capital of France is", 3)+" "+(System.nanoTime()-t0)/1e9); }
    for (int T : new int[]{6,7,8,9,10,11}) {
      int[][] toks = new int[1][T];
      for (int i=0;i<T;i++) toks[0][i]=(i*37)%1000+5;
      long t0=System.nanoTime();
      try (NDManager s = m.manager().newSubManager()) {
        NDArray l = m.forward(s, toks, Trace.NONE).logits();
        float x = l.sum().getFloat();
      }
      System.out.println("T="+T+" s="+(System.nanoTime()-t0)/1e9);
    }
  }
}
