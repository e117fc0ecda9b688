/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Anti-replay for inbound SAs (RFC 4302 §3.4.3): a sliding window of
 * `window` sequence numbers ending at the highest one accepted, kept in
 * esprit_sa_in_rw (the ring of headers/esprit_sa.h).
 *
 * The check runs twice, as the RFC orders it: before the ICV, without the
 * lock, to spend no hashing on packets that are certainly replays; after a
 * good ICV, under the value's spin lock, where it is decided and recorded.
 * So two CPUs receiving the same packet at once accept it once, and a
 * packet with a bad ICV never moves the window.
 */
#ifndef ESPRIT_BPF_REPLAY_H
#define ESPRIT_BPF_REPLAY_H

#include "lib/ctx.h"
#include "esprit_sa.h"

#define REPLAY_WORD_BITS 64

/*
 * The slot of seq's word. The bound check keeps the verifier sure of the
 * index (it does not track remainders); it never fails.
 */
static __always_inline __u32 replay_slot(__u32 seq)
{
	__u32 s = (seq / REPLAY_WORD_BITS) % ESPRIT_REPLAY_WORDS;

	asm volatile("" : "+r"(s));
	return s < ESPRIT_REPLAY_WORDS ? s : 0;
}

static __always_inline __u64 replay_bit(__u32 seq)
{
	return 1ULL << (seq % REPLAY_WORD_BITS);
}

/* seq is inside the window and recorded; the caller checked seq <= top. */
static __always_inline bool replay_recorded(__u64 bits, __u32 word, __u32 seq)
{
	return word == seq / REPLAY_WORD_BITS && (bits & replay_bit(seq));
}

/*
 * True if seq is certainly not acceptable: 0 (never sent), left of the
 * window, or already seen. Lock-free, so a concurrent update may make it
 * answer "acceptable" for a replay: replay_accept() decides.
 */
static __always_inline bool replay_seen(const struct esprit_replay *rw,
					__u32 seq, __u32 window)
{
	__u32 top = READ_ONCE(rw->top), s;

	if (seq == 0)
		return true;
	if (seq > top)
		return false;
	if (top - seq >= window)
		return true;
	s = replay_slot(seq);
	return replay_recorded(READ_ONCE(rw->bitmap[s]), READ_ONCE(rw->word[s]),
			       seq);
}

/*
 * Accepts seq into the window (after its ICV was found good) unless it
 * is a replay or left of the window. Returns true if accepted.
 */
static __always_inline bool replay_accept(struct esprit_replay *rw, __u32 seq,
					  __u32 window)
{
	__u32 s = replay_slot(seq), word = seq / REPLAY_WORD_BITS;
	bool accepted = false;

	bpf_spin_lock(&rw->lock);
	if (seq == 0)
		goto out;
	if (seq <= rw->top &&
	    (rw->top - seq >= window ||
	     replay_recorded(rw->bitmap[s], rw->word[s], seq)))
		goto out;
	if (rw->word[s] != word) { /* the slot held an older word */
		rw->word[s] = word;
		rw->bitmap[s] = 0;
	}
	rw->bitmap[s] |= replay_bit(seq);
	if (seq > rw->top)
		rw->top = seq;
	accepted = true;
out:
	bpf_spin_unlock(&rw->lock);
	return accepted;
}

#endif
