// SPDX-License-Identifier: Apache-2.0
/*
 * The outputs queue and its worker. The queue is a byte ring of packed alerts (alert_pack), so
 * its memory is bounded by outputs_queue.bytes whatever the alerts hold, and by
 * outputs_queue.capacity in count. The producer packs under the lock (a few microseconds) and
 * never waits for the worker; the worker copies one record out under the lock, then renders and
 * delivers it without holding it.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "macro.h"
#include "outputs.h"
#include "sink.h"

#define RING_MIN      (2 * (ALERT_RECORD_MAX + 8))
#define RING_PAD_MARK 0xffffffffU

struct sink_state {
	bool enabled;
	uint64_t sent, failed;
	uint64_t fails_since_log, last_log_ns;
	int last_error;
};

struct outputs {
	pthread_mutex_t lock;
	pthread_cond_t work_cond; /* worker: something to do */
	pthread_cond_t idle_cond; /* outputs_flush(): queue empty */
	pthread_cond_t room_cond; /* outputs_push() with wait_when_full: an alert left the queue */
	pthread_t thread;
	bool thread_started;

	/* Under lock. */
	uint8_t *ring;
	size_t ring_size; /* power of two */
	uint64_t head, tail;
	uint32_t count, capacity;
	bool stopping, stopped, reopen, busy;
	struct token_bucket bucket;
	struct outputs_stats stats;
	struct sink_state state[_OUTPUTS_SINK_MAX];

	_Atomic uint64_t deadline_ns; /* 0: none; set by outputs_free() */
	uint32_t drain_timeout_ms;
	bool rate_limited;
	bool wait_when_full;
	uint64_t (*clock_ns)(void *userdata);
	void *clock_userdata;

	struct alert_format format;
	char hostname[ALERT_HOSTNAME_MAX + 1];
	struct sink sinks[_OUTPUTS_SINK_MAX];

	/* Worker only. */
	uint8_t *record;
	char *render;
};

static const char *const sink_names[_OUTPUTS_SINK_MAX] = {
	[OUTPUTS_SINK_STDOUT] = "stdout", [OUTPUTS_SINK_FILE] = "file",
	[OUTPUTS_SINK_SYSLOG] = "syslog", [OUTPUTS_SINK_PROGRAM] = "program",
	[OUTPUTS_SINK_HTTP] = "http",
};

static const struct sink_ops *const sink_ops_table[_OUTPUTS_SINK_MAX] = {
	[OUTPUTS_SINK_STDOUT] = &sink_stdout_ops, [OUTPUTS_SINK_FILE] = &sink_file_ops,
	[OUTPUTS_SINK_SYSLOG] = &sink_syslog_ops, [OUTPUTS_SINK_PROGRAM] = &sink_program_ops,
	[OUTPUTS_SINK_HTTP] = &sink_http_ops,
};

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t sink_deadline_ns(const struct sink *s, uint32_t timeout_ms)
{
	uint64_t d = now_ns() + (uint64_t)timeout_ms * 1000000ULL;
	uint64_t drain = atomic_load(&s->outputs->deadline_ns);

	return drain && drain < d ? drain : d;
}

uint64_t sink_drain_deadline_ns(const struct sink *s, uint32_t fallback_ms)
{
	uint64_t drain = atomic_load(&s->outputs->deadline_ns);

	return drain ?: now_ns() + (uint64_t)fallback_ms * 1000000ULL;
}

bool sink_should_abort(const struct sink *s)
{
	uint64_t drain = atomic_load(&s->outputs->deadline_ns);

	return drain && now_ns() >= drain;
}

static void consume_sigpipe(void)
{
	static const struct timespec zero = {0};
	sigset_t pending, pipe_set;

	if (sigpending(&pending) < 0 || !sigismember(&pending, SIGPIPE))
		return;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	(void)sigtimedwait(&pipe_set, NULL, &zero);
}

int sink_write_all(int fd, const void *buf, size_t len, uint64_t deadline)
{
	const uint8_t *p = buf;

	while (len > 0) {
		struct pollfd pfd = {.fd = fd, .events = POLLOUT};
		ssize_t n = write(fd, p, len);
		uint64_t now;

		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EPIPE) {
			consume_sigpipe();
			return -EPIPE;
		}
		if (n < 0 && errno != EAGAIN)
			return negative_errno();
		now = now_ns();
		if (now >= deadline)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, (int)MIN((deadline - now + 999999) / 1000000, 1000ULL)) < 0 &&
		    errno != EINTR)
			return negative_errno();
	}
	return 0;
}

void token_bucket_init(struct token_bucket *b, double rate, uint32_t max_burst, uint64_t now)
{
	*b = (struct token_bucket){
		.rate = rate,
		.max_tokens = max_burst,
		.tokens = max_burst,
		.last_ns = now,
	};
}

bool token_bucket_claim(struct token_bucket *b, uint64_t now)
{
	if (b->rate <= 0)
		return true;
	if (now > b->last_ns) {
		b->tokens += b->rate * (double)(now - b->last_ns) / 1e9;
		if (b->tokens > b->max_tokens)
			b->tokens = b->max_tokens;
		b->last_ns = now;
	}
	if (b->tokens < 1.0)
		return false;
	b->tokens -= 1.0;
	return true;
}

void outputs_config_init(struct outputs_config *c)
{
	*c = (struct outputs_config){
		.json_include_output_property = true,
		.json_include_tags_property = true,
		.json_include_output_fields_property = true,
		.stdout_output.enabled = true,
		.syslog_output.enabled = true,
		.program_output.timeout_ms = 2000,
		.http_output.user_agent = "osprey/" OSPREY_VERSION,
		.http_output.keep_alive = true,
		.http_output.connect_timeout_ms = 1000,
		.http_output.timeout_ms = 5000,
		.http_output.max_retries = 2,
		.outputs.rate = 0,
		.outputs.max_burst = 1000,
		.outputs_queue.capacity = OUTPUTS_QUEUE_CAPACITY_DEFAULT,
		.outputs_queue.bytes = OUTPUTS_QUEUE_BYTES_DEFAULT,
		.drain_timeout_ms = 2000,
	};
}

static uint64_t clock_now(struct outputs *o)
{
	return o->clock_ns ? o->clock_ns(o->clock_userdata) : now_ns();
}

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

static int config_check(const struct outputs_config *c)
{
	if (isnan(c->outputs.rate) || c->outputs.rate < 0)
		return log_error_errno(
			-EINVAL, "outputs.rate must be >= 0 (alerts per second, 0 for no limit)");
	if (c->outputs.rate > 0 && c->outputs.max_burst == 0)
		return log_error_errno(-EINVAL,
				       "outputs.max_burst must be >= 1 when outputs.rate is set");
	if (c->outputs_queue.capacity > OUTPUTS_QUEUE_CAPACITY_MAX)
		return log_error_errno(-EINVAL,
				       "outputs_queue.capacity %u is too large (at most %u)",
				       c->outputs_queue.capacity, OUTPUTS_QUEUE_CAPACITY_MAX);
	if (c->outputs_queue.bytes > OUTPUTS_QUEUE_BYTES_MAX)
		return log_error_errno(-EINVAL, "outputs_queue.bytes %u is too large (at most %u)",
				       c->outputs_queue.bytes, OUTPUTS_QUEUE_BYTES_MAX);
	if (c->file_output.enabled && (!c->file_output.filename || !*c->file_output.filename))
		return log_error_errno(-EINVAL, "file_output is enabled but file_output.filename "
						"is empty: set it or disable file_output");
	if (c->program_output.enabled &&
	    (!c->program_output.program || !*c->program_output.program))
		return log_error_errno(-EINVAL,
				       "program_output is enabled but program_output.program is "
				       "empty: set it or disable program_output");
	if (c->http_output.enabled) {
		const char *u = c->http_output.url;

		if (!u || (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0))
			return log_error_errno(
				-EINVAL, "http_output.url '%s' must start with http:// or https://",
				u ?: "");
		if (c->http_output.mtls &&
		    (!c->http_output.client_cert || !*c->http_output.client_cert ||
		     !c->http_output.client_key || !*c->http_output.client_key))
			return log_error_errno(-EINVAL,
					       "http_output.mtls needs http_output.client_cert and "
					       "http_output.client_key");
	}
	return 0;
}

static bool sink_enabled(const struct outputs_config *c, enum outputs_sink_id id)
{
	switch (id) {
	case OUTPUTS_SINK_STDOUT:
		return c->stdout_output.enabled;
	case OUTPUTS_SINK_FILE:
		return c->file_output.enabled;
	case OUTPUTS_SINK_SYSLOG:
		return c->syslog_output.enabled;
	case OUTPUTS_SINK_PROGRAM:
		return c->program_output.enabled;
	case OUTPUTS_SINK_HTTP:
		return c->http_output.enabled;
	default:
		return false;
	}
}

/* Counts a sink's result; failures are logged at most once per OUTPUTS_LOG_INTERVAL_SEC. */
static void sink_account(struct outputs *o, enum outputs_sink_id id, int r)
{
	struct sink_state *st = &o->state[id];
	uint64_t fails = 0, now;
	int err = 0;
	char detail[sizeof(o->sinks[id].detail)];

	pthread_mutex_lock(&o->lock);
	if (r >= 0) {
		st->sent++;
	} else {
		st->failed++;
		st->fails_since_log++;
		st->last_error = r;
		now = now_ns();
		if (st->last_log_ns == 0 ||
		    now - st->last_log_ns >= OUTPUTS_LOG_INTERVAL_SEC * 1000000000ULL) {
			fails = st->fails_since_log;
			err = st->last_error;
			st->fails_since_log = 0;
			st->last_log_ns = now;
		}
	}
	pthread_mutex_unlock(&o->lock);
	if (fails > 0) {
		memcpy(detail, o->sinks[id].detail, sizeof(detail));
		detail[sizeof(detail) - 1] = '\0';
		log_warning_errno(err,
				  "Alert output '%s' failed %" PRIu64
				  " time(s) (last error: %m%s%s); "
				  "reported at most every %d s",
				  sink_names[id], fails, *detail ? ": " : "", detail,
				  OUTPUTS_LOG_INTERVAL_SEC);
	}
	if (r >= 0)
		o->sinks[id].detail[0] = '\0';
}

/* Takes one record out of the ring into o->record; under lock. Returns its length or 0. */
static size_t ring_pop(struct outputs *o)
{
	size_t mask = o->ring_size - 1;

	while (o->count > 0) {
		size_t off = o->head & mask;
		uint32_t len;

		memcpy(&len, o->ring + off, 4);
		if (len == RING_PAD_MARK) {
			o->head += o->ring_size - off;
			continue;
		}
		memcpy(o->record, o->ring + off + 4, len);
		o->head += align8(4 + (size_t)len);
		o->count--;
		return len;
	}
	return 0;
}

static void deliver(struct outputs *o, size_t len)
{
	struct alert_unpacked u;
	int r, n;

	r = alert_unpack(o->record, len, &u);
	if (r < 0) {
		log_error_errno(r, "Dropping a corrupted alert record: %m");
		return;
	}
	n = alert_render(&u.alert, &o->format, o->hostname, o->render, ALERT_RENDER_MAX);
	for (size_t i = 0; i < _OUTPUTS_SINK_MAX; i++) {
		struct sink *s = &o->sinks[i];

		if (!o->state[i].enabled)
			continue;
		r = n < 0 ? n : s->ops->emit(s, &u.alert, o->render, (size_t)n);
		sink_account(o, i, r);
	}
}

static void *worker(void *userdata)
{
	struct outputs *o = userdata;
	sigset_t all;

	/* Signals belong to the main loop; SIGPIPE from a dead program reader becomes EPIPE. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);

	pthread_mutex_lock(&o->lock);
	for (;;) {
		size_t len;

		while (o->count == 0 && !o->stopping && !o->reopen)
			pthread_cond_wait(&o->work_cond, &o->lock);
		if (o->reopen) {
			o->reopen = false;
			pthread_mutex_unlock(&o->lock);
			for (size_t i = 0; i < _OUTPUTS_SINK_MAX; i++) {
				struct sink *s = &o->sinks[i];
				int r;

				if (!o->state[i].enabled || !s->ops->reopen)
					continue;
				r = s->ops->reopen(s);
				if (r < 0)
					log_warning_errno(r,
							  "Failed to reopen alert output '%s': %m",
							  sink_names[i]);
			}
			pthread_mutex_lock(&o->lock);
			continue;
		}
		if (o->count == 0 || (o->stopping && sink_should_abort(&o->sinks[0])))
			break;
		len = ring_pop(o);
		o->busy = true;
		pthread_cond_broadcast(&o->room_cond);
		pthread_mutex_unlock(&o->lock);

		deliver(o, len);

		pthread_mutex_lock(&o->lock);
		o->busy = false;
		o->stats.processed++;
		if (o->count == 0)
			pthread_cond_broadcast(&o->idle_cond);
	}
	o->busy = false;
	pthread_cond_broadcast(&o->idle_cond);
	pthread_cond_broadcast(&o->room_cond); /* the worker is gone: no waiting for room */
	pthread_mutex_unlock(&o->lock);
	return NULL;
}

static int hostname_init(struct outputs *o, const char *configured)
{
	const char *h = configured && *configured ? configured : getenv("FALCO_HOSTNAME");

	if (h && *h) {
		if (strlen(h) > ALERT_HOSTNAME_MAX)
			return log_error_errno(-EINVAL,
					       "Hostname '%.32s...' is too long (at most %d bytes)",
					       h, ALERT_HOSTNAME_MAX);
		memcpy(o->hostname, h, strlen(h) + 1);
		return 0;
	}
	if (gethostname(o->hostname, sizeof(o->hostname) - 1) < 0)
		return log_error_errno(negative_errno(), "Failed to get the hostname: %m");
	o->hostname[sizeof(o->hostname) - 1] = '\0';
	return 0;
}

static int cond_init_monotonic(pthread_cond_t *c)
{
	pthread_condattr_t attr;
	int r;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	r = pthread_cond_init(c, &attr);
	pthread_condattr_destroy(&attr);
	return -r;
}

int outputs_new(const struct outputs_config *c, struct outputs **ret)
{
	struct outputs *o;
	size_t bytes;
	int r;

	r = config_check(c);
	if (r < 0)
		return r;
	o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	pthread_mutex_init(&o->lock, NULL);
	cond_init_monotonic(&o->work_cond);
	cond_init_monotonic(&o->idle_cond);
	cond_init_monotonic(&o->room_cond);

	o->capacity = c->outputs_queue.capacity ?: OUTPUTS_QUEUE_CAPACITY_DEFAULT;
	bytes = c->outputs_queue.bytes ?: OUTPUTS_QUEUE_BYTES_DEFAULT;
	o->ring_size = 1;
	while (o->ring_size < bytes || o->ring_size < RING_MIN)
		o->ring_size <<= 1;
	o->ring = malloc(o->ring_size);
	o->record = malloc(ALERT_RECORD_MAX);
	o->render = malloc(ALERT_RENDER_MAX);
	if (!o->ring || !o->record || !o->render) {
		r = -ENOMEM;
		goto fail;
	}

	o->drain_timeout_ms = c->drain_timeout_ms;
	o->clock_ns = c->clock_ns;
	o->clock_userdata = c->clock_userdata;
	o->rate_limited = c->outputs.rate > 0;
	o->wait_when_full = c->wait_when_full;
	token_bucket_init(&o->bucket, c->outputs.rate, c->outputs.max_burst, clock_now(o));
	alert_format_init(&o->format);
	o->format.json = c->json_output;
	o->format.include_output = c->json_include_output_property;
	o->format.include_tags = c->json_include_tags_property;
	o->format.include_message = c->json_include_message_property;
	o->format.include_output_fields = c->json_include_output_fields_property;
	o->format.time_iso8601 = c->time_format_iso_8601;
	r = hostname_init(o, c->hostname);
	if (r < 0)
		goto fail;

	for (size_t i = 0; i < _OUTPUTS_SINK_MAX; i++) {
		struct sink *s = &o->sinks[i];

		s->ops = sink_ops_table[i];
		s->outputs = o;
		if (!sink_enabled(c, i))
			continue;
		r = s->ops->init(s, c);
		if (r < 0)
			goto fail; /* the sink logged why */
		o->state[i].enabled = true;
	}

	r = -pthread_create(&o->thread, NULL, worker, o);
	if (r < 0) {
		log_error_errno(r, "Failed to start the alert outputs thread: %m");
		goto fail;
	}
	o->thread_started = true;
	*ret = o;
	return 0;
fail:
	outputs_free(o);
	return r;
}

void outputs_stop(struct outputs *o)
{
	if (!o || o->stopped)
		return;
	if (o->thread_started) {
		pthread_mutex_lock(&o->lock);
		o->stopping = true;
		atomic_store(&o->deadline_ns,
			     now_ns() + (uint64_t)o->drain_timeout_ms * 1000000ULL);
		pthread_cond_signal(&o->work_cond);
		pthread_mutex_unlock(&o->lock);
		pthread_join(o->thread, NULL);
	}
	for (size_t i = 0; i < _OUTPUTS_SINK_MAX; i++)
		if (o->state[i].enabled && o->sinks[i].ops->done)
			o->sinks[i].ops->done(&o->sinks[i]);
	if (o->count > 0)
		log_warning(
			"Alert outputs: %u alert(s) not delivered within the %u ms drain timeout",
			o->count, o->drain_timeout_ms);
	pthread_mutex_lock(&o->lock);
	o->stopping = true;
	o->stopped = true;
	pthread_mutex_unlock(&o->lock);
}

void outputs_free(struct outputs *o)
{
	if (!o)
		return;
	outputs_stop(o);
	pthread_cond_destroy(&o->work_cond);
	pthread_cond_destroy(&o->idle_cond);
	pthread_cond_destroy(&o->room_cond);
	pthread_mutex_destroy(&o->lock);
	free(o->ring);
	free(o->record);
	free(o->render);
	free(o);
}

int outputs_push(struct outputs *o, const struct alert *a)
{
	size_t size, need, off, pad = 0, mask;
	bool truncated = false;
	uint32_t len32;

	/* Measure outside the lock; packing is deterministic. */
	size = alert_pack(a, NULL, NULL);
	need = align8(4 + size);

	pthread_mutex_lock(&o->lock);
	if (o->stopping) {
		pthread_mutex_unlock(&o->lock);
		return -ESHUTDOWN;
	}
	o->stats.pushed++;
	if (o->rate_limited && !token_bucket_claim(&o->bucket, clock_now(o))) {
		o->stats.throttled++;
		pthread_mutex_unlock(&o->lock);
		return -EAGAIN;
	}
	mask = o->ring_size - 1;
	for (;;) {
		off = o->tail & mask;
		pad = off + need > o->ring_size ? o->ring_size - off : 0; /* >= 8: both x8 */
		if (o->count < o->capacity && o->tail + pad + need - o->head <= o->ring_size)
			break;
		/* Full. The worker always drains (every sink has a timeout), so waiting ends;
		 * it stops waiting if the worker is gone. */
		if (!o->wait_when_full || o->stopping || !o->thread_started)
			break;
		pthread_cond_wait(&o->room_cond, &o->lock);
	}
	if (o->count >= o->capacity || o->tail + pad + need - o->head > o->ring_size) {
		o->stats.dropped++;
		pthread_mutex_unlock(&o->lock);
		return -ENOBUFS;
	}
	if (pad > 0) {
		len32 = RING_PAD_MARK;
		memcpy(o->ring + off, &len32, 4);
		o->tail += pad;
		off = 0;
	}
	len32 = (uint32_t)size;
	memcpy(o->ring + off, &len32, 4);
	alert_pack(a, o->ring + off + 4, &truncated);
	o->tail += need;
	o->count++;
	if (truncated)
		o->stats.truncated++;
	pthread_cond_signal(&o->work_cond);
	pthread_mutex_unlock(&o->lock);
	return 0;
}

void outputs_reopen(struct outputs *o)
{
	pthread_mutex_lock(&o->lock);
	o->reopen = true;
	pthread_cond_signal(&o->work_cond);
	pthread_mutex_unlock(&o->lock);
}

int outputs_flush(struct outputs *o, uint32_t timeout_ms)
{
	struct timespec ts;
	int r = 0;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&o->lock);
	while ((o->count > 0 || o->busy) && r == 0)
		r = pthread_cond_timedwait(&o->idle_cond, &o->lock, &ts);
	pthread_mutex_unlock(&o->lock);
	return r == 0 ? 0 : -ETIMEDOUT;
}

void outputs_get_stats(struct outputs *o, struct outputs_stats *ret)
{
	pthread_mutex_lock(&o->lock);
	*ret = o->stats;
	ret->queued = o->stopped ? 0 : o->count;
	ret->abandoned = o->stopped ? o->count : 0;
	for (size_t i = 0; i < _OUTPUTS_SINK_MAX; i++) {
		ret->sinks[i] = (struct outputs_sink_stats){
			.name = sink_names[i],
			.enabled = o->state[i].enabled,
			.sent = o->state[i].sent,
			.failed = o->state[i].failed,
			.timeouts = o->sinks[i].timeouts,
			.restarts = o->sinks[i].restarts,
		};
	}
	pthread_mutex_unlock(&o->lock);
}
