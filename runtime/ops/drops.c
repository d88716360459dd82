// SPDX-License-Identifier: Apache-2.0
#include <string.h>

#include "drops.h"

void drops_policy_init(struct drops_policy *p, double threshold, double rate, uint32_t max_burst,
		       uint64_t now_ns)
{
	*p = (struct drops_policy){.threshold = threshold, .rate = rate, .max_burst = max_burst};
	/* rate 0 would mean "no limit" to the bucket: here it means "never act twice" */
	token_bucket_init(&p->bucket, rate > 0 ? rate : 1e-9, max_burst, now_ns);
}

uint64_t drops_delta_total(const struct drops_delta *d)
{
	return d->n_drops_buffer + d->n_drops_too_big + d->n_drops_bad;
}

unsigned drops_policy_feed(struct drops_policy *p, const struct drops_delta *d, uint64_t now_ns)
{
	uint64_t drops = drops_delta_total(d);
	uint64_t window_ns = p->rate > 0 ? (uint64_t)(1e9 / p->rate) : UINT64_MAX / 2;
	unsigned ret = DROPS_NONE;
	bool beyond, repeated;
	double ratio;

	p->pending.n_evts += d->n_evts;
	if (!drops)
		return DROPS_NONE;
	p->pending.n_drops_buffer += d->n_drops_buffer;
	p->pending.n_drops_too_big += d->n_drops_too_big;
	p->pending.n_drops_bad += d->n_drops_bad;
	p->seconds_with_drops++;
	if (!p->last_drop_ns || now_ns - p->last_drop_ns > window_ns)
		ret |= DROPS_LOG_FIRST;
	p->last_drop_ns = now_ns;

	ratio = (double)drops / (double)(d->n_evts + drops);
	beyond = ratio > p->threshold;
	if (!beyond)
		return ret;
	p->seconds_beyond++;
	repeated = p->last_beyond_ns && now_ns - p->last_beyond_ns <= window_ns;
	p->last_beyond_ns = now_ns;
	if (!repeated)
		return ret;
	if (!token_bucket_claim(&p->bucket, now_ns)) {
		p->suppressed++;
		return ret;
	}
	p->actions++;
	return ret | DROPS_ACT;
}

const struct drops_delta *drops_policy_pending(const struct drops_policy *p)
{
	return &p->pending;
}

void drops_policy_reset_pending(struct drops_policy *p)
{
	memset(&p->pending, 0, sizeof(p->pending));
}
