"""Which of prunekit's ways of writing the forward pass cost or save time on a GPU, measured in PyTorch alone.

    python ablate_gpu.py [--device cuda] [--cells 1x2048,8x256,1x256] [--rounds 3] [--warmup 5] [--iterations 10]
                         [--model DIR]

prunekit and PyTorch eager (torch_llama.py) compute the same function with different operations. Where the
GPU's own work sets the pace, the difference between them is in those operations, not in Java or DJL; this
script writes each of prunekit's choices in PyTorch and times forward + backward of the mean next-token loss
(decoder weights trainable, embedding, head and final norm frozen, as both benchmarks do) for eager and for
eager with one choice changed at a time, then with all of them:

- `silu-product`: SwiGLU as g·σ(g)·u (DJL 0.36 has no SiLU: three kernels forward, six backward) instead of
  F.silu(g)·u;
- `zeroed-grads`: gradients zeroed between passes and added into (DJL cannot set a gradient to None) instead
  of `zero_grad(set_to_none=True)`;
- `grouped`: prunekit's attention: 1/√D folded into the queries, the G query heads of a key/value head as one
  block of G·T rows against its keys (no repeat_kv), the causal mask stacked G times, (G·T, T);
- `rope-matrix`: RoPE as one batched product x·R_p per position (prunekit's GPU form) instead of
  x·cos + rotate_half(x)·sin;
- `prunekit`: all four;
- `fused-qkv`: the query, key and value projections as one product with the three weights concatenated on every
  pass (torch.cat, one (C, (H + 2K)·D) GEMM, the output split), instead of three products;
- `fused-gate-up`: the gate and up projections likewise, one (C, 2I) GEMM instead of two;
- `candidate`: prunekit's four choices with gradients set to None (not zeroed) and both fusions — what prunekit
  would compute with those changes.

In every round each variant runs its warm-up passes and then its timed ones, the variants taking turns in a
rotating order; the table gives each variant's median time over the rounds' medians and its ratio to eager
(eager / variant, > 1: the variant is faster) with the smallest and largest ratio of one round. Every variant's
loss must equal eager's (checked). Random weights of SmolLM2-135M's shape unless --model names a Hugging Face
directory: the time does not depend on the values.
"""
import argparse
import statistics
import time

import torch
import torch.nn.functional as F

import torch_llama

SMOLLM2 = dict(vocab_size=49152, hidden_size=576, intermediate_size=1536, num_hidden_layers=30,
               num_attention_heads=9, num_key_value_heads=3, rms_norm_eps=1e-5, rope_theta=100000.0,
               tie_word_embeddings=True)
CHOICES = ("silu-product", "zeroed-grads", "grouped", "rope-matrix")
FUSIONS = ("fused-qkv", "fused-gate-up")
VARIANTS = ("eager",) + CHOICES + ("prunekit",) + FUSIONS + ("candidate",)


def choices(variant):
    if variant == "prunekit":
        return set(CHOICES)
    if variant == "candidate":
        return (set(CHOICES) - {"zeroed-grads"}) | set(FUSIONS)
    return {variant} - {"eager"}


def rope_tables(model, t, device):
    """cos, sin (T, D) as torch_llama makes them, and R (T, D, D) with x·R_p = x·cos_p + rotate_half(x)·sin_p."""
    positions = torch.arange(t, device=device, dtype=torch.float32)
    freqs = torch.outer(positions, model.inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos(), emb.sin()
    d = cos.shape[-1]
    half = d // 2
    r = torch.diag_embed(cos)                                                   # (T, D, D)
    idx = torch.arange(half, device=device)
    r[:, idx + half, idx] = -sin[:, idx]          # rotate_half(x)[i] = -x[i + half] for i < half
    r[:, idx, idx + half] = sin[:, idx + half]    #                   =  x[i - half] for i >= half
    return cos, sin, r


def by_matrix(x, r):
    """x (B, T, n, D), each position p multiplied by R_p, as prunekit's Rope.rotateByMatrix: (T, n, D)·(T, D, D)
    at batch 1, positions first ((T, B·n, D), one copy of x) above it."""
    b, t, n, d = x.shape
    if b == 1:
        return torch.matmul(x.reshape(t, n, d), r).reshape(1, t, n, d)
    return torch.matmul(x.transpose(0, 1).reshape(t, b * n, d), r).reshape(t, b, n, d).transpose(0, 1)


def attention(att, x, tables, masks, use):
    b, t, _ = x.shape
    cos, sin, r = tables
    scale = att.head_dim ** -0.5
    if "fused-qkv" in use:
        w = torch.cat((att.q_proj.weight, att.k_proj.weight, att.v_proj.weight))    # ((H + 2K)·D, C)
        q, k, v = torch.split(F.linear(x, w), [att.q_proj.weight.shape[0], att.k_proj.weight.shape[0],
                                               att.v_proj.weight.shape[0]], dim=-1)
    else:
        q, k, v = att.q_proj(x), att.k_proj(x), att.v_proj(x)
    q = q.reshape(b, t, -1, att.head_dim)                                           # (B, T, H, D)
    k = k.reshape(b, t, -1, att.head_dim)                                           # (B, T, K, D)
    v = v.reshape(b, t, -1, att.head_dim).transpose(1, 2)                           # (B, K, T, D)
    if "rope-matrix" in use:      # before the heads are swapped, as prunekit; the queries' R carries 1/√D if grouped
        q = by_matrix(q, r * scale if "grouped" in use else r).transpose(1, 2)
        k = by_matrix(k, r).transpose(1, 2)
    else:
        q, k = q.transpose(1, 2), k.transpose(1, 2)
        q = q * cos + torch_llama.rotate_half(q) * sin
        k = k * cos + torch_llama.rotate_half(k) * sin
        if "grouped" in use:
            q = q * scale
    g = att.heads // att.kv_heads
    if "grouped" in use:
        grouped = q.reshape(b, att.kv_heads, g * t, att.head_dim)
        probs = F.softmax(torch.matmul(grouped, k.transpose(2, 3)) + masks[1], dim=-1)   # (B, K, G·T, T)
        out = torch.matmul(probs, v).reshape(b, att.heads, t, att.head_dim)
    else:
        k = k[:, :, None].expand(b, att.kv_heads, g, t, att.head_dim).reshape(b, att.heads, t, att.head_dim)
        v = v[:, :, None].expand(b, att.kv_heads, g, t, att.head_dim).reshape(b, att.heads, t, att.head_dim)
        scores = torch.matmul(q, k.transpose(2, 3)) * scale + masks[0]
        out = torch.matmul(F.softmax(scores, dim=-1, dtype=torch.float32), v)
    return att.o_proj(out.transpose(1, 2).reshape(b, t, -1))


def mlp(m, x, use):
    if "fused-gate-up" in use:
        gate, up = F.linear(x, torch.cat((m.gate_proj.weight, m.up_proj.weight))).chunk(2, dim=-1)
    else:
        gate, up = m.gate_proj(x), m.up_proj(x)
    act = gate * torch.sigmoid(gate) if "silu-product" in use else F.silu(gate)
    return m.down_proj(act * up)


def loss_of(model, ids, use, tables, masks):
    x = model.model.embed_tokens(ids)
    for layer in model.model.layers:
        h = x + attention(layer.self_attn, layer.input_layernorm(x), tables, masks, use)
        x = h + mlp(layer.mlp, layer.post_attention_layernorm(h), use)
    logits = model.lm_head(model.model.norm(x))
    shifted = F.pad(ids, (0, 1), value=-100)[:, 1:]
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), shifted.reshape(-1), ignore_index=-100)


def make_model(args):
    if args.model:
        return torch_llama.load(args.model, "eager", args.device)
    torch.manual_seed(0)
    model = torch_llama.LlamaForCausalLM(SMOLLM2, "eager")
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0.0, 0.02)
    model.lm_head.weight = model.model.embed_tokens.weight
    return model.to(args.device)


def sync(device):
    if device == "cuda":
        torch.cuda.synchronize()


def timed_passes(model, ids, use, tables, masks, warmup, iterations, device):
    """(median seconds of the timed passes, the last loss)."""
    times, loss_value = [], None
    for i in range(warmup + iterations):
        sync(device)
        t0 = time.perf_counter()
        loss = loss_of(model, ids, use, tables, masks)
        loss.backward()
        if "zeroed-grads" in use:
            model.zero_grad(set_to_none=False)
        else:
            model.zero_grad(set_to_none=True)
        loss_value = loss.item()
        if i >= warmup:
            times.append(time.perf_counter() - t0)
    return statistics.median(times), loss_value


def cell(model, batch, seqlen, args):
    """{variant: [median seconds per round]} of one (batch, seqlen), and the losses."""
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(0, model.config["vocab_size"], (batch, seqlen), generator=g).to(args.device)
    tables = rope_tables(model, seqlen, args.device)
    causal = torch.full((seqlen, seqlen), float("-inf"), device=args.device).triu(1)
    groups = model.config["num_attention_heads"] // model.config.get("num_key_value_heads", 1)
    masks = (causal, causal.repeat(groups, 1))                                      # (T, T), (G·T, T)
    medians = {v: [] for v in VARIANTS}
    losses = {}
    for r in range(args.rounds):
        order = VARIANTS[r % len(VARIANTS):] + VARIANTS[:r % len(VARIANTS)]
        for v in order:
            m, losses[v] = timed_passes(model, ids, choices(v), tables, masks, args.warmup, args.iterations, args.device)
            medians[v].append(m)
        print(f"{time.strftime('%H:%M:%S')} {batch} x {seqlen}: round {r + 1}/{args.rounds} done", flush=True)
    return medians, losses


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--cells", default="1x2048,8x256,1x256", help="batch x tokens, comma-separated")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--iterations", type=int, default=10)
    p.add_argument("--model", help="a Hugging Face LLaMA directory (default: random weights of SmolLM2's shape)")
    args = p.parse_args()
    cells = []
    for c in args.cells.split(","):
        try:
            b, t = (int(x) for x in c.lower().split("x"))
        except ValueError:
            raise SystemExit(f"ablate_gpu: --cells {c!r}: expected batch x tokens such as 1x2048")
        cells.append((b, t))
    model = make_model(args)
    for param in model.parameters():
        param.requires_grad_(False)
    for param in model.model.layers.parameters():
        param.requires_grad_(True)
    name = torch.cuda.get_device_name() if args.device == "cuda" else "cpu"
    print(f"device {args.device} ({name}); torch {torch.__version__}; "
          f"{'weights of ' + args.model if args.model else 'random weights of SmolLM2-135M shape'}; forward + backward, "
          f"{args.warmup} untimed passes then the median of {args.iterations}, {args.rounds} rounds")
    rows, problems = [], []
    for b, t in cells:
        medians, losses = cell(model, b, t, args)
        for v in VARIANTS:
            if abs(losses[v] - losses["eager"]) > 1e-3 * max(1.0, abs(losses["eager"])):
                problems.append(f"{b} x {t}: {v} loss {losses[v]:.6f}, eager {losses['eager']:.6f}")
            ratios = [e / x for e, x in zip(medians["eager"], medians[v])]
            rows.append((f"{b} x {t}", v, statistics.median(medians[v]) * 1e3, b * t / statistics.median(medians[v]),
                         statistics.median(ratios), min(ratios), max(ratios), losses[v]))
    print(f"{'batch x tokens':>14}  {'variant':>13}  {'ms':>8}  {'tok/s':>9}  {'eager/variant (per round)':>26}  loss")
    for cell_name, v, ms, tok, r, lo, hi, loss in rows:
        print(f"{cell_name:>14}  {v:>13}  {ms:8.2f}  {tok:9,.0f}  {r:10.3f} ({lo:.3f}-{hi:.3f})        {loss:.6f}")
    for problem in problems:
        print(f"ablate_gpu: {problem}")
    if problems:
        raise SystemExit("ablate_gpu: a variant computed another loss than eager")


if __name__ == "__main__":
    main()
