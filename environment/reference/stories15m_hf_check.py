#!/usr/bin/env python3
"""Cross-check the NumPy stories15M reference against Hugging Face transformers' LlamaForCausalLM.

Converts data/cache/models/stories15m/model.bin to an HF Llama model in memory (float32, CPU):
wq/wk rows are un-permuted from llama2.c's adjacent-pair RoPE layout to HF's rotate_half layout
(hf = w.reshape(n_heads, head/2, 2, dim).swapaxes(1, 2).reshape(dim, dim)), rope_theta 10000,
rms_norm_eps 1e-5, tied embeddings. Runs the fixture prompt ids and compares with
lib/src/test/resources/fixtures/stories15m/logits.f32; also greedy-generates the greedy.json
continuation. Exits non-zero on a relative diff above 1e-4 or a different greedy path.

  build/refvenv/bin/python environment/reference/stories15m_hf_check.py [--save-hf build/stories15m-hf]
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
from transformers import LlamaConfig, LlamaForCausalLM

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stories15m_logits as ref  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--save-hf", default=None)
    args = ap.parse_args()
    cfg, w = ref.load_model(os.path.join(ref.MODEL_DIR, "model.bin"))
    hs, H, KV = cfg["head_size"], cfg["n_heads"], cfg["n_kv_heads"]
    hc = LlamaConfig(hidden_size=cfg["dim"], intermediate_size=cfg["hidden_dim"],
                     num_hidden_layers=cfg["n_layers"], num_attention_heads=H, num_key_value_heads=KV,
                     vocab_size=cfg["vocab_size"], max_position_embeddings=cfg["seq_len"],
                     rms_norm_eps=1e-5, rope_theta=10000.0, tie_word_embeddings=cfg["shared_classifier"],
                     bos_token_id=1, eos_token_id=2, hidden_act="silu")
    model = LlamaForCausalLM(hc).to(torch.float32).eval()

    def unpermute(a, n):
        out_dim, in_dim = a.shape
        return a.reshape(n, out_dim // n // 2, 2, in_dim).swapaxes(1, 2).reshape(out_dim, in_dim)

    t = lambda a: torch.from_numpy(np.array(a, dtype=np.float32))
    sd = {"model.embed_tokens.weight": t(w["tok"]), "model.norm.weight": t(w["rms_final"])}
    for l in range(cfg["n_layers"]):
        p = f"model.layers.{l}."
        sd[p + "input_layernorm.weight"] = t(w["rms_att"][l])
        sd[p + "post_attention_layernorm.weight"] = t(w["rms_ffn"][l])
        sd[p + "self_attn.q_proj.weight"] = t(unpermute(w["wq"][l], H))
        sd[p + "self_attn.k_proj.weight"] = t(unpermute(w["wk"][l], KV))
        sd[p + "self_attn.v_proj.weight"] = t(w["wv"][l])
        sd[p + "self_attn.o_proj.weight"] = t(w["wo"][l])
        sd[p + "mlp.gate_proj.weight"] = t(w["w1"][l])
        sd[p + "mlp.down_proj.weight"] = t(w["w2"][l])
        sd[p + "mlp.up_proj.weight"] = t(w["w3"][l])
    sd["lm_head.weight"] = sd["model.embed_tokens.weight"]
    missing, unexpected = model.load_state_dict(sd, strict=False)
    assert not unexpected and not [m for m in missing if "rotary" not in m], (missing, unexpected)
    model.tie_weights()

    fx = os.path.join(ref.OUT_DIR)
    prompt = json.load(open(os.path.join(fx, "prompt.json")))
    T, V = prompt["logits_shape"]
    want = np.fromfile(os.path.join(fx, "logits.f32"), dtype="<f4").reshape(T, V)
    with torch.no_grad():
        got = model(torch.tensor([prompt["ids"]])).logits[0].numpy()
    max_abs = float(np.abs(got - want).max())
    rel = max_abs / float(np.abs(want).max())
    print(f"HF LlamaForCausalLM vs numpy stories15M: max_abs={max_abs:.3e} rel={rel:.3e} "
          f"argmax equal={bool((got.argmax(-1) == want.argmax(-1)).all())}")

    g = json.load(open(os.path.join(fx, "greedy.json")))
    with torch.no_grad():
        out = model.generate(torch.tensor([g["prompt_ids"]]), max_new_tokens=len(g["new_ids"]), do_sample=False,
                             attention_mask=torch.ones(1, len(g["prompt_ids"]), dtype=torch.long))
    new = out[0][len(g["prompt_ids"]):].tolist()
    same = new == g["new_ids"]
    print("HF greedy path equals greedy.json:", same)
    if args.save_hf:
        model.save_pretrained(args.save_hf)
        print("saved", args.save_hf)
    return 0 if rel <= 1e-4 and same else 1


if __name__ == "__main__":
    sys.exit(main())
