/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every BPF file needs: the kernel's types, libbpf's helpers, and
 * the packet pointers of an XDP context read so the verifier accepts them.
 */
#ifndef ESPRIT_BPF_CTX_H
#define ESPRIT_BPF_CTX_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "esprit_proto.h"

#ifndef TC_ACT_OK /* linux/pkt_cls.h, which vmlinux.h lacks */
#define TC_ACT_OK   0
#define TC_ACT_SHOT 2
#endif

#ifndef READ_ONCE
#define READ_ONCE(x) (*(volatile typeof(x) *)&(x))
#endif

/*
 * ctx->data and ctx->data_end read through asm: otherwise clang may merge
 * two such loads on different paths into one load at a computed ctx
 * offset, which the verifier rejects.
 */
static __always_inline void *xdp_data(const struct xdp_md *ctx)
{
	void *data;

	asm volatile("%[res] = *(u32 *)(%[base] + %[off])"
		     : [res] "=r"(data)
		     : [base] "r"(ctx), [off] "i"(__builtin_offsetof(
						struct xdp_md, data)));
	return data;
}

static __always_inline void *xdp_data_end(const struct xdp_md *ctx)
{
	void *end;

	asm volatile("%[res] = *(u32 *)(%[base] + %[off])"
		     : [res] "=r"(end)
		     : [base] "r"(ctx), [off] "i"(__builtin_offsetof(
						struct xdp_md, data_end)));
	return end;
}

static __always_inline void *xdp_data_meta(const struct xdp_md *ctx)
{
	void *meta;

	asm volatile("%[res] = *(u32 *)(%[base] + %[off])"
		     : [res] "=r"(meta)
		     : [base] "r"(ctx), [off] "i"(__builtin_offsetof(
						struct xdp_md, data_meta)));
	return meta;
}

/* The same for a TC context. */
static __always_inline void *skb_data(const struct __sk_buff *skb)
{
	void *data;

	asm volatile("%[res] = *(u32 *)(%[base] + %[off])"
		     : [res] "=r"(data)
		     : [base] "r"(skb), [off] "i"(__builtin_offsetof(
						struct __sk_buff, data)));
	return data;
}

static __always_inline void *skb_data_end(const struct __sk_buff *skb)
{
	void *end;

	asm volatile("%[res] = *(u32 *)(%[base] + %[off])"
		     : [res] "=r"(end)
		     : [base] "r"(skb), [off] "i"(__builtin_offsetof(
						struct __sk_buff, data_end)));
	return end;
}

/* Offsets into packets are masked to this so the verifier sees them bounded. */
#define PKT_OFF_MASK 0x3fff

#endif
