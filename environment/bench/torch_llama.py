"""A LLaMA decoder in plain PyTorch, for benchmarks where transformers is not installed (the lent GPU
machine has torch and nothing else). It computes what transformers' LlamaForCausalLM computes, the same arithmetic in the same order
(transformers 4.57, modeling_llama.py):

- RMSNorm: x * rsqrt(mean(x^2) + eps) * g;
- attention: q, k, v projections, rotate-half RoPE on q and k (cos/sin tables of the positions, made once a
  pass), then either `eager` (k and v repeated for the query heads, q k^T * D^-1/2, an additive causal mask of
  the dtype's minimum, softmax in float32, times v) or `sdpa` (torch's scaled_dot_product_attention, causal,
  grouped-query heads given as they are: transformers' path when there is no padding mask);
- the SwiGLU MLP, down(silu(gate(x)) * up(x)); residual adds; the final norm and the (tied) head;
- the loss as transformers computes it given labels: float logits, labels shifted by one (the last position
  ignored), mean cross-entropy.

What it leaves out is transformers' Python around those ops (keyword plumbing, output classes, mask
builders, hooks): on a GPU, where a small pass is bound by the host's time per op, this model is the
faster of the two, a stricter reference than transformers itself.

Weights: a Hugging Face directory as `prunekit export` writes it (config.json, model.safetensors), read
without the safetensors package.
"""
import json
import os
import struct

import torch
import torch.nn.functional as F
from torch import nn

SAFETENSORS_DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def read_safetensors(path):
    """name -> tensor of a .safetensors file: an 8-byte little-endian header length, a JSON header
    (dtype, shape, data_offsets of each tensor), then the data."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = bytearray(f.read())
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] not in SAFETENSORS_DTYPES:
            raise SystemExit(f"torch_llama: {path}: tensor {name} has dtype {info['dtype']}, "
                             f"supported: {', '.join(SAFETENSORS_DTYPES)}")
        start, end = info["data_offsets"]
        dtype = SAFETENSORS_DTYPES[info["dtype"]]
        t = torch.frombuffer(data, dtype=dtype, count=(end - start) // dtype.itemsize, offset=start) if end > start \
            else torch.empty(0, dtype=dtype)
        out[name] = t.reshape(info["shape"]).clone()
    return out


class RMSNorm(nn.Module):
    def __init__(self, size, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(size))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class Attention(nn.Module):
    def __init__(self, c, attn):
        super().__init__()
        self.heads, self.kv_heads = c["num_attention_heads"], c.get("num_key_value_heads", c["num_attention_heads"])
        self.head_dim = c.get("head_dim") or c["hidden_size"] // self.heads
        self.attn = attn
        hidden = c["hidden_size"]
        self.q_proj = nn.Linear(hidden, self.heads * self.head_dim, bias=False)
        self.k_proj = nn.Linear(hidden, self.kv_heads * self.head_dim, bias=False)
        self.v_proj = nn.Linear(hidden, self.kv_heads * self.head_dim, bias=False)
        self.o_proj = nn.Linear(self.heads * self.head_dim, hidden, bias=False)

    def forward(self, x, cos, sin, mask):
        b, t, _ = x.shape
        q = self.q_proj(x).view(b, t, -1, self.head_dim).transpose(1, 2)          # (B, H, T, D)
        k = self.k_proj(x).view(b, t, -1, self.head_dim).transpose(1, 2)          # (B, K, T, D)
        v = self.v_proj(x).view(b, t, -1, self.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if self.attn == "sdpa":
            out = F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=self.head_dim ** -0.5,
                                                 enable_gqa=True)
        else:
            g = self.heads // self.kv_heads
            k = k[:, :, None].expand(b, self.kv_heads, g, t, self.head_dim).reshape(b, self.heads, t, self.head_dim)
            v = v[:, :, None].expand(b, self.kv_heads, g, t, self.head_dim).reshape(b, self.heads, t, self.head_dim)
            scores = torch.matmul(q, k.transpose(2, 3)) * self.head_dim ** -0.5 + mask   # (B, H, T, T)
            probs = F.softmax(scores, dim=-1, dtype=torch.float32).to(q.dtype)
            out = torch.matmul(probs, v)
        return self.o_proj(out.transpose(1, 2).reshape(b, t, -1))                   # (B, T, C)


class Mlp(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.gate_proj = nn.Linear(c["hidden_size"], c["intermediate_size"], bias=False)
        self.up_proj = nn.Linear(c["hidden_size"], c["intermediate_size"], bias=False)
        self.down_proj = nn.Linear(c["intermediate_size"], c["hidden_size"], bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Block(nn.Module):
    def __init__(self, c, attn):
        super().__init__()
        self.input_layernorm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
        self.self_attn = Attention(c, attn)
        self.post_attention_layernorm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
        self.mlp = Mlp(c)

    def forward(self, x, cos, sin, mask):
        h = x + self.self_attn(self.input_layernorm(x), cos, sin, mask)
        return h + self.mlp(self.post_attention_layernorm(h))


class Decoder(nn.Module):
    """LlamaModel's part: the embedding, the blocks, the final norm (parameter names as in the checkpoint)."""

    def __init__(self, c, attn):
        super().__init__()
        self.embed_tokens = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.layers = nn.ModuleList(Block(c, attn) for _ in range(c["num_hidden_layers"]))
        self.norm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])


class LlamaForCausalLM(nn.Module):
    def __init__(self, c, attn="eager"):
        super().__init__()
        if attn not in ("eager", "sdpa"):
            raise SystemExit(f"torch_llama: attention '{attn}' is not implemented (accepted: eager, sdpa)")
        self.config = c
        self.attn = attn
        self.model = Decoder(c, attn)
        self.lm_head = nn.Linear(c["hidden_size"], c["vocab_size"], bias=False)
        head_dim = c.get("head_dim") or c["hidden_size"] // c["num_attention_heads"]
        inv_freq = 1.0 / (c.get("rope_theta", 10000.0) ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
        self.register_buffer("inv_freq", inv_freq, persistent=False)

    def forward(self, ids, labels=None):
        """(logits (B, T, V), mean next-token cross-entropy or None)."""
        b, t = ids.shape
        x = self.model.embed_tokens(ids)                                            # (B, T, C)
        # 1. RoPE tables and (eager) the causal mask, once a pass                   (T, D), (T, T)
        positions = torch.arange(t, device=ids.device, dtype=torch.float32)
        freqs = torch.outer(positions, self.inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos().to(x.dtype), emb.sin().to(x.dtype)
        mask = None
        if self.attn == "eager":
            mask = torch.full((t, t), torch.finfo(x.dtype).min, device=ids.device, dtype=x.dtype).triu(1)
        # 2. the blocks, the final norm, the head
        for layer in self.model.layers:
            x = layer(x, cos, sin, mask)
        logits = self.lm_head(self.model.norm(x))                                   # (B, T, V)
        loss = None
        if labels is not None:                                                       # position t predicts t+1
            shifted = F.pad(labels, (0, 1), value=-100)[:, 1:]
            loss = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), shifted.reshape(-1), ignore_index=-100)
        return logits, loss


def load(directory, attn="eager", device="cpu"):
    """The model of a Hugging Face directory (config.json, model.safetensors) in float32 on `device`, eval mode."""
    with open(os.path.join(directory, "config.json")) as f:
        c = json.load(f)
    if c.get("model_type", "llama") != "llama":
        raise SystemExit(f"torch_llama: {directory}: model_type {c.get('model_type')}, expected llama")
    if c.get("attention_bias") or c.get("mlp_bias") or c.get("rope_scaling") or c.get("hidden_act", "silu") != "silu":
        raise SystemExit(f"torch_llama: {directory}: biases, rope_scaling or a non-silu activation are not implemented")
    model = LlamaForCausalLM(c, attn)
    weights = read_safetensors(os.path.join(directory, "model.safetensors"))
    if "lm_head.weight" not in weights:
        if not c.get("tie_word_embeddings", True):
            raise SystemExit(f"torch_llama: {directory}: no lm_head.weight and tie_word_embeddings is false")
        weights["lm_head.weight"] = weights["model.embed_tokens.weight"]
    missing, unexpected = model.load_state_dict({k: v.float() for k, v in weights.items()}, strict=False)
    if missing or unexpected:
        raise SystemExit(f"torch_llama: {directory}: missing {missing}, unexpected {unexpected}")
    if c.get("tie_word_embeddings", True):
        model.lm_head.weight = model.model.embed_tokens.weight                      # one tensor, as transformers ties it
    return model.to(device).eval()


def check_against_transformers(directory, seqlen=16):
    """Logits and loss of this model against transformers' on the same random ids (both attentions): the
    largest |difference|; run where transformers is installed."""
    import transformers
    ids = torch.randint(0, 1000, (2, seqlen))
    for attn in ("eager", "sdpa"):
        ref = transformers.AutoModelForCausalLM.from_pretrained(directory, dtype=torch.float32, attn_implementation=attn).eval()
        mine = load(directory, attn)
        with torch.no_grad():
            a = ref(input_ids=ids, labels=ids, use_cache=False)
            logits, loss = mine(ids, ids)
        print(f"{attn}: max |logits - transformers| = {(logits - a.logits).abs().max().item():.3g}, "
              f"loss {loss.item():.6f} vs {a.loss.item():.6f}, max |logit| {a.logits.abs().max().item():.3g}")


if __name__ == "__main__":
    import sys
    if len(sys.argv) != 2:
        sys.exit("usage: python torch_llama.py HF_DIR   (compares with transformers, which must be installed)")
    check_against_transformers(sys.argv[1])
