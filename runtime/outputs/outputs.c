// SPDX-License-Identifier: Apache-2.0
/*
 * The alert queue, its dispatcher, and one queue and one thread per sink.
 *
 * outputs_push() (the engine thread) packs the alert into the alert queue, a byte ring of packed
 * alerts (ring.h, alert_pack) bounded by outputs_queue.bytes and .capacity, and never waits for a
 * sink. The dispatcher thread takes one alert out, renders it once and copies the line into each
 * enabled sink's queue, a byte ring of rendered lines with the same bounds; when a sink's queue
 * is full that sink alone drops the alert and counts it. Each sink's thread takes lines out of
 * its own queue and delivers them with the sink's emit(), which is bounded in time, so a sink
 * that hangs or fails only ever delays itself. One lock guards the queues and the counters;
 * nobody holds it while rendering or delivering.
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
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "macro.h"
#include "outputs.h"
#include "ring.h"
#include "sink.h"

#define SINK_RECORD_MAX (1 + ALERT_RENDER_MAX) /* the priority, then the rendered line */
#define WAIT_SLICE_NS	(50ULL * 1000000ULL)

struct sink_state {
	/* Under o->lock. */
	bool enabled, inited;
	bool thread_started, thread_done, detached;
	bool reopen, inflight, last_failed;
	uint64_t inflight_since_ns;
	struct ring queue;
	pthread_cond_t work_cond; /* the sink's thread: a line, reopen, or the dispatcher ended */
	uint64_t offered, delivered, failed, dropped, abandoned;
	uint64_t fails_since_log, last_log_ns;
	int last_error;
	char last_detail[sizeof(((struct sink *)0)->detail)];
	pthread_t thread;
	/* The sink's thread only. */
	uint8_t *record;
};

struct outputs {
	pthread_mutex_t lock;
	pthread_cond_t work_cond; /* dispatcher: an alert, or stop */
	pthread_cond_t idle_cond; /* outputs_flush(): an alert or a line was done with */
	pthread_cond_t room_cond; /* outputs_push() with wait_when_full: an alert left the queue */
	/* The dispatcher with wait_when_full: a sink queue has room or a sink's health changed;
	 * outputs_stop(): a thread ended. */
	pthread_cond_t sink_cond;
	pthread_t thread;
	bool thread_started;

	/* Under lock. */
	struct ring queue;
	bool stopping, stopped, busy, dispatcher_done, dispatcher_detached;
	bool leaked; /* a thread was abandoned: outputs_free() must not free what it uses */
	struct token_bucket bucket;
	struct outputs_stats stats;
	struct sink_state state[_OUTPUTS_SINK_MAX];

	_Atomic uint64_t deadline_ns; /* 0: none; set by outputs_stop() */
	uint32_t drain_timeout_ms;
	bool rate_limited;
	bool wait_when_full;
	uint64_t (*clock_ns)(void *userdata);
	void *clock_userdata;

	struct alert_format format;
	char hostname[ALERT_HOSTNAME_MAX + 1];
	struct sink sinks[_OUTPUTS_SINK_MAX];

	/* The dispatcher only. */
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

static int write_all(const struct sink *s, int fd, const void *buf, size_t len, uint32_t timeout_ms,
		     bool sock)
{
	uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000ULL;
	const uint8_t *p = buf;

	while (len > 0) {
		struct pollfd pfd = {.fd = fd, .events = POLLOUT};
		ssize_t n =
			sock ? send(fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL) : write(fd, p, len);
		uint64_t now, drain;

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
		/* outputs_stop() may set the drain deadline while we wait: read it each time. */
		drain = atomic_load(&s->outputs->deadline_ns);
		now = now_ns();
		if (now >= deadline || (drain && now >= drain))
			return -ETIMEDOUT;
		if (poll(&pfd, 1, (int)MIN((deadline - now + 999999) / 1000000, 50ULL)) < 0 &&
		    errno != EINTR)
			return negative_errno();
	}
	return 0;
}

int sink_write_all(const struct sink *s, int fd, const void *buf, size_t len, uint32_t timeout_ms)
{
	return write_all(s, fd, buf, len, timeout_ms, false);
}

int sink_send_all(const struct sink *s, int fd, const void *buf, size_t len, uint32_t timeout_ms)
{
	return write_all(s, fd, buf, len, timeout_ms, true);
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

static struct timespec timespec_of_ns(uint64_t ns)
{
	return (struct timespec){.tv_sec = (time_t)(ns / 1000000000ULL),
				 .tv_nsec = (long)(ns % 1000000000ULL)};
}

/* Waits on c (a CLOCK_MONOTONIC condition) until deadline_ns at most; under o->lock. */
static void cond_wait_until(struct outputs *o, pthread_cond_t *c, uint64_t deadline_ns)
{
	struct timespec ts = timespec_of_ns(deadline_ns);

	pthread_cond_timedwait(c, &o->lock, &ts);
}

static bool drain_deadline_passed(struct outputs *o)
{
	uint64_t d = atomic_load(&o->deadline_ns);

	return d && now_ns() >= d;
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
	if (c->program_output.enabled && (c->program_output.timeout_ms == 0 ||
					  c->program_output.timeout_ms > OUTPUTS_TIMEOUT_MAX_MS))
		return log_error_errno(-EINVAL,
				       "program_output.timeout_ms %u is out of range: give 1 to %u "
				       "ms (0 would wait forever; default 2000)",
				       c->program_output.timeout_ms, OUTPUTS_TIMEOUT_MAX_MS);
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
		if (c->http_output.timeout_ms == 0 ||
		    c->http_output.timeout_ms > OUTPUTS_TIMEOUT_MAX_MS)
			return log_error_errno(
				-EINVAL,
				"http_output.timeout_ms %u is out of range: give 1 to "
				"%u ms (0 would wait forever; default 5000)",
				c->http_output.timeout_ms, OUTPUTS_TIMEOUT_MAX_MS);
		if (c->http_output.connect_timeout_ms == 0 ||
		    c->http_output.connect_timeout_ms > OUTPUTS_TIMEOUT_MAX_MS)
			return log_error_errno(
				-EINVAL,
				"http_output.connect_timeout_ms %u is out of range: "
				"give 1 to %u ms (0 would wait forever; default 1000)",
				c->http_output.connect_timeout_ms, OUTPUTS_TIMEOUT_MAX_MS);
		if (c->http_output.max_retries > OUTPUTS_RETRIES_MAX)
			return log_error_errno(
				-EINVAL,
				"http_output.max_retries %u is too many (at most %d: "
				"each retry waits up to http_output.timeout_ms)",
				c->http_output.max_retries, OUTPUTS_RETRIES_MAX);
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

/*
 * Whether the dispatcher with wait_when_full may wait for room in this sink's queue: its last
 * alert was delivered and the one it is on has not taken OUTPUTS_SINK_STALL_MS. Under lock.
 */
static bool sink_is_healthy(const struct sink_state *st, uint64_t now)
{
	if (st->last_failed || st->thread_done)
		return false;
	return !st->inflight || now - st->inflight_since_ns < OUTPUTS_SINK_STALL_MS * 1000000ULL;
}

/* Offers one rendered line (n < 0: rendering failed with n) to sink i. Under lock; waits (lock
 * released) only with wait_when_full, for a healthy sink, until the drain deadline. */
static void sink_offer(struct outputs *o, size_t i, enum alert_priority priority, const char *line,
		       int n)
{
	struct sink_state *st = &o->state[i];

	if (n < 0) {
		st->offered++;
		st->failed++;
		st->last_failed = true;
		st->last_error = n;
		snprintf(st->last_detail, sizeof(st->last_detail),
			 "the alert could not be rendered");
		return;
	}
	for (;;) {
		uint8_t *p = ring_push(&st->queue, (size_t)n + 1);
		uint64_t now;

		if (p) {
			p[0] = (uint8_t)priority;
			memcpy(p + 1, line, (size_t)n);
			st->offered++;
			pthread_cond_signal(&st->work_cond);
			return;
		}
		now = now_ns();
		if (!o->wait_when_full || drain_deadline_passed(o) || !sink_is_healthy(st, now))
			break;
		cond_wait_until(o, &o->sink_cond, now + WAIT_SLICE_NS);
	}
	st->offered++;
	st->dropped++;
}

/* Takes one alert (o->record, len bytes) to every enabled sink's queue. Called without the lock,
 * returns with it held. */
static void dispatch(struct outputs *o, size_t len)
{
	struct alert_unpacked u;
	int n;

	n = alert_unpack(o->record, len, &u);
	if (n >= 0)
		n = alert_render(&u.alert, &o->format, o->hostname, o->render, ALERT_RENDER_MAX);
	else
		log_error_errno(n, "Dropping a corrupted alert record: %m");
	pthread_mutex_lock(&o->lock);
	for (size_t i = 0; i < _OUTPUTS_SINK_MAX; i++)
		if (o->state[i].enabled)
			sink_offer(o, i, n >= 0 ? u.alert.priority : ALERT_PRIORITY_DEBUG,
				   o->render, n);
}

static void *dispatcher(void *userdata)
{
	struct outputs *o = userdata;
	sigset_t all;

	/* Signals belong to the main loop. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);

	pthread_mutex_lock(&o->lock);
	for (;;) {
		size_t len;

		while (o->queue.count == 0 && !o->stopping)
			pthread_cond_wait(&o->work_cond, &o->lock);
		if (o->queue.count == 0 || drain_deadline_passed(o))
			break;
		len = ring_pop(&o->queue, o->record);
		o->busy = true;
		pthread_cond_broadcast(&o->room_cond);
		pthread_mutex_unlock(&o->lock);

		dispatch(o, len); /* takes the lock */

		o->busy = false;
		o->stats.processed++;
		pthread_cond_broadcast(&o->idle_cond);
	}
	o->busy = false;
	o->dispatcher_done = true;
	for (size_t i = 0; i < _OUTPUTS_SINK_MAX; i++)
		pthread_cond_signal(&o->state[i].work_cond);
	pthread_cond_broadcast(&o->idle_cond);
	pthread_cond_broadcast(&o->room_cond); /* the dispatcher is gone: no waiting for room */
	pthread_cond_broadcast(&o->sink_cond);
	pthread_mutex_unlock(&o->lock);
	return NULL;
}

/* Counts one delivery of sink i; returns the number of failures to log now (at most one line
 * per OUTPUTS_LOG_INTERVAL_SEC per sink), 0 for none. Under lock. */
static uint64_t sink_account(struct outputs *o, size_t i, int r)
{
	struct sink_state *st = &o->state[i];
	uint64_t fails = 0, now;

	st->last_failed = r < 0;
	if (r >= 0) {
		st->delivered++;
		return 0;
	}
	st->failed++;
	st->fails_since_log++;
	st->last_error = r;
	memcpy(st->last_detail, o->sinks[i].detail, sizeof(st->last_detail));
	st->last_detail[sizeof(st->last_detail) - 1] = '\0';
	now = now_ns();
	if (st->last_log_ns == 0 ||
	    now - st->last_log_ns >= OUTPUTS_LOG_INTERVAL_SEC * 1000000000ULL) {
		fails = st->fails_since_log;
		st->fails_since_log = 0;
		st->last_log_ns = now;
	}
	return fails;
}

static void *sink_thread(void *userdata)
{
	struct sink *s = userdata;
	struct outputs *o = s->outputs;
	size_t i = (size_t)(s - o->sinks);
	struct sink_state *st = &o->state[i];
	sigset_t all;

	/* Signals belong to the main loop; SIGPIPE from a dead reader becomes EPIPE. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);

	pthread_mutex_lock(&o->lock);
	for (;;) {
		char detail[sizeof(st->last_detail)];
		uint64_t fails;
		size_t len;
		int r;

		while (st->queue.count == 0 && !st->reopen && !o->dispatcher_done)
			pthread_cond_wait(&st->work_cond, &o->lock);
		if (st->reopen) {
			st->reopen = false;
			pthread_mutex_unlock(&o->lock);
			r = s->ops->reopen ? s->ops->reopen(s) : 0;
			if (r < 0)
				log_warning_errno(r, "Failed to reopen alert output '%s': %m",
						  sink_names[i]);
			pthread_mutex_lock(&o->lock);
			continue;
		}
		if (st->queue.count == 0 || drain_deadline_passed(o))
			break; /* the dispatcher ended and all is delivered, or time is up */
		len = ring_pop(&st->queue, st->record);
		st->inflight = true;
		st->inflight_since_ns = now_ns();
		pthread_cond_broadcast(&o->sink_cond); /* room */
		pthread_mutex_unlock(&o->lock);

		r = s->ops->emit(s, (enum alert_priority)st->record[0],
				 (const char *)st->record + 1, len - 1);

		pthread_mutex_lock(&o->lock);
		st->inflight = false;
		if (st->detached) {
			/* outputs_stop() gave up on this thread and counted the alert abandoned. */
			pthread_mutex_unlock(&o->lock);
			return NULL;
		}
		if (r < 0 && drain_deadline_passed(o)) {
			/* Cut off by outputs_stop(): abandoned, as the lines still queued. */
			st->abandoned++;
			st->last_failed = true;
			fails = 0;
		} else {
			fails = sink_account(o, i, r);
		}
		memcpy(detail, st->last_detail, sizeof(detail));
		pthread_cond_broadcast(&o->sink_cond); /* health */
		pthread_cond_broadcast(&o->idle_cond);
		pthread_mutex_unlock(&o->lock);
		if (fails > 0)
			log_warning_errno(r,
					  "Alert output '%s' failed %" PRIu64
					  " time(s) (last error: %m%s%s); reported at most every "
					  "%d s, totals at exit",
					  sink_names[i], fails, *detail ? ": " : "", detail,
					  OUTPUTS_LOG_INTERVAL_SEC);
		if (r >= 0)
			s->detail[0] = '\0';
		pthread_mutex_lock(&o->lock);
	}
	pthread_mutex_unlock(&o->lock);
	/* Bounded by the drain deadline (programs are reaped, connections closed). */
	if (s->ops->done)
		s->ops->done(s);
	pthread_mutex_lock(&o->lock);
	st->thread_done = true;
	pthread_cond_broadcast(&o->sink_cond);
	pthread_cond_broadcast(&o->idle_cond);
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

static void sink_state_free(struct sink_state *st)
{
	ring_done(&st->queue);
	free(st->record);
	st->record = NULL;
	pthread_cond_destroy(&st->work_cond);
}

int outputs_new(const struct outputs_config *c, struct outputs **ret)
{
	struct outputs *o;
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
	cond_init_monotonic(&o->sink_cond);
	for (size_t i = 0; i < _OUTPUTS_SINK_MAX; i++)
		cond_init_monotonic(&o->state[i].work_cond);

	r = ring_init(&o->queue, c->outputs_queue.bytes ?: OUTPUTS_QUEUE_BYTES_DEFAULT,
		      c->outputs_queue.capacity ?: OUTPUTS_QUEUE_CAPACITY_DEFAULT,
		      ALERT_RECORD_MAX);
	o->record = malloc(ALERT_RECORD_MAX);
	o->render = malloc(ALERT_RENDER_MAX);
	if (r < 0 || !o->record || !o->render) {
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
		struct sink_state *st = &o->state[i];
		struct sink *s = &o->sinks[i];

		s->ops = sink_ops_table[i];
		s->outputs = o;
		if (!sink_enabled(c, i))
			continue;
		r = ring_init(&st->queue, c->outputs_queue.bytes ?: OUTPUTS_QUEUE_BYTES_DEFAULT,
			      c->outputs_queue.capacity ?: OUTPUTS_QUEUE_CAPACITY_DEFAULT,
			      SINK_RECORD_MAX);
		st->record = malloc(SINK_RECORD_MAX);
		if (r < 0 || !st->record) {
			r = -ENOMEM;
			goto fail;
		}
		r = s->ops->init(s, c);
		if (r < 0)
			goto fail; /* the sink logged why */
		st->inited = true;
		st->enabled = true;
	}

	for (size_t i = 0; i < _OUTPUTS_SINK_MAX; i++) {
		struct sink_state *st = &o->state[i];

		if (!st->enabled)
			continue;
		r = -pthread_create(&st->thread, NULL, sink_thread, &o->sinks[i]);
		if (r < 0) {
			log_error_errno(r, "Failed to start the thread of alert output '%s': %m",
					sink_names[i]);
			goto fail;
		}
		st->thread_started = true;
	}
	r = -pthread_create(&o->thread, NULL, dispatcher, o);
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

/* Waits for a thread whose *done flag it sets, until deadline_ns; joins it, or detaches it and
 * returns false. Under lock (released while waiting and joining). */
static bool thread_join_until(struct outputs *o, pthread_t t, const bool *done, uint64_t deadline)
{
	while (!*done && now_ns() < deadline)
		cond_wait_until(o, &o->sink_cond, deadline);
	if (!*done) {
		pthread_detach(t);
		o->leaked = true;
		return false;
	}
	pthread_mutex_unlock(&o->lock);
	pthread_join(t, NULL);
	pthread_mutex_lock(&o->lock);
	return true;
}

/* One line per enabled sink with its totals; a warning if it lost any alert. Under no lock,
 * after every thread ended or was abandoned. */
static void sink_log_totals(struct outputs *o, size_t i)
{
	const struct sink_state *st = &o->state[i];
	bool lost = st->failed + st->dropped + st->abandoned > 0;

	const char *stuck = st->detached ? "; its thread was stuck and is left behind" : "";

	if (st->failed)
		log_full_errno(lost ? LOG_WARNING : LOG_INFO, st->last_error,
			       "Alert output '%s': %" PRIu64 " delivered, %" PRIu64
			       " failed, %" PRIu64 " dropped (queue full), %" PRIu64
			       " abandoned at exit (last error: %m%s%s)%s",
			       sink_names[i], st->delivered, st->failed, st->dropped, st->abandoned,
			       *st->last_detail ? ": " : "", st->last_detail, stuck);
	else
		log_full(lost ? LOG_WARNING : LOG_INFO,
			 "Alert output '%s': %" PRIu64 " delivered, %" PRIu64 " failed, %" PRIu64
			 " dropped (queue full), %" PRIu64 " abandoned at exit%s",
			 sink_names[i], st->delivered, st->failed, st->dropped, st->abandoned,
			 stuck);
}

void outputs_stop(struct outputs *o)
{
	uint64_t join_deadline;

	if (!o || o->stopped)
		return;
	pthread_mutex_lock(&o->lock);
	o->stopping = true;
	atomic_store(&o->deadline_ns, now_ns() + (uint64_t)o->drain_timeout_ms * 1000000ULL);
	join_deadline = atomic_load(&o->deadline_ns) + OUTPUTS_JOIN_GRACE_MS * 1000000ULL;
	pthread_cond_signal(&o->work_cond);
	if (o->thread_started) {
		if (!thread_join_until(o, o->thread, &o->dispatcher_done, join_deadline)) {
			o->dispatcher_detached = true;
			log_warning(
				"Alert outputs: the dispatcher did not stop in time; left behind");
		}
	} else {
		o->dispatcher_done = true; /* outputs_new() failed: let the sink threads end */
		for (size_t i = 0; i < _OUTPUTS_SINK_MAX; i++)
			pthread_cond_signal(&o->state[i].work_cond);
	}
	for (size_t i = 0; i < _OUTPUTS_SINK_MAX; i++) {
		struct sink_state *st = &o->state[i];

		if (!st->thread_started)
			continue;
		if (!thread_join_until(o, st->thread, &st->thread_done, join_deadline)) {
			st->detached = true;
			st->abandoned += st->inflight ? 1 : 0;
		}
	}
	for (size_t i = 0; i < _OUTPUTS_SINK_MAX; i++)
		o->state[i].abandoned += ring_clear(&o->state[i].queue);
	pthread_mutex_unlock(&o->lock);

	/* Sinks whose thread never started (outputs_new() failed) are closed here. */
	for (size_t i = 0; i < _OUTPUTS_SINK_MAX; i++)
		if (o->state[i].inited && !o->state[i].thread_started && o->sinks[i].ops->done)
			o->sinks[i].ops->done(&o->sinks[i]);
	if (o->thread_started) {
		if (o->queue.count > 0)
			log_warning("Alert outputs: %u alert(s) still queued at the %u ms drain "
				    "deadline, abandoned",
				    o->queue.count, o->drain_timeout_ms);
		for (size_t i = 0; i < _OUTPUTS_SINK_MAX; i++)
			if (o->state[i].enabled)
				sink_log_totals(o, i);
	}
	pthread_mutex_lock(&o->lock);
	o->stopped = true;
	pthread_mutex_unlock(&o->lock);
}

void outputs_free(struct outputs *o)
{
	if (!o)
		return;
	outputs_stop(o);
	if (o->leaked) {
		/* A thread stuck in a system call still uses o: leave it to process exit. */
		log_warning("Alert outputs: %s stuck; their memory is left to process exit",
			    "one or more output threads were");
		return;
	}
	pthread_cond_destroy(&o->work_cond);
	pthread_cond_destroy(&o->idle_cond);
	pthread_cond_destroy(&o->room_cond);
	pthread_cond_destroy(&o->sink_cond);
	for (size_t i = 0; i < _OUTPUTS_SINK_MAX; i++)
		sink_state_free(&o->state[i]);
	pthread_mutex_destroy(&o->lock);
	ring_done(&o->queue);
	free(o->record);
	free(o->render);
	free(o);
}

int outputs_push(struct outputs *o, const struct alert *a)
{
	bool truncated = false;
	size_t size;
	void *p;

	/* Measure outside the lock; packing is deterministic. */
	size = alert_pack(a, NULL, NULL);

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
	/* Full: wait_when_full waits; the dispatcher never blocks for long (a sink that stalls
	 * is not waited for), so waiting ends; it stops waiting if the dispatcher is gone. */
	while (!ring_fits(&o->queue, size) && o->wait_when_full && !o->stopping &&
	       o->thread_started && !o->dispatcher_done)
		pthread_cond_wait(&o->room_cond, &o->lock);
	p = ring_push(&o->queue, size);
	if (!p) {
		o->stats.dropped++;
		pthread_mutex_unlock(&o->lock);
		return -ENOBUFS;
	}
	alert_pack(a, p, &truncated);
	if (truncated)
		o->stats.truncated++;
	pthread_cond_signal(&o->work_cond);
	pthread_mutex_unlock(&o->lock);
	return 0;
}

void outputs_reopen(struct outputs *o)
{
	pthread_mutex_lock(&o->lock);
	for (size_t i = 0; i < _OUTPUTS_SINK_MAX; i++) {
		if (!o->state[i].enabled || !o->sinks[i].ops->reopen)
			continue;
		o->state[i].reopen = true;
		pthread_cond_signal(&o->state[i].work_cond);
	}
	pthread_mutex_unlock(&o->lock);
}

static bool is_idle(struct outputs *o)
{
	if (o->queue.count > 0 || o->busy)
		return false;
	for (size_t i = 0; i < _OUTPUTS_SINK_MAX; i++)
		if (o->state[i].queue.count > 0 || o->state[i].inflight)
			return false;
	return true;
}

int outputs_flush(struct outputs *o, uint32_t timeout_ms)
{
	uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000ULL;
	bool idle;

	pthread_mutex_lock(&o->lock);
	while (!(idle = is_idle(o)) && now_ns() < deadline && !o->stopped)
		cond_wait_until(o, &o->idle_cond, deadline);
	pthread_mutex_unlock(&o->lock);
	return idle ? 0 : -ETIMEDOUT;
}

/* Under lock. */
static void sink_stats_of(struct outputs *o, size_t i, struct outputs_sink_stats *ret)
{
	const struct sink_state *st = &o->state[i];

	*ret = (struct outputs_sink_stats){
		.name = sink_names[i],
		.enabled = st->enabled,
		.offered = st->offered,
		.delivered = st->delivered,
		.failed = st->failed,
		.dropped = st->dropped,
		.queued = o->stopped ? 0 : st->queue.count + (st->inflight ? 1 : 0),
		.abandoned = st->abandoned,
		.timeouts = atomic_load(&o->sinks[i].timeouts),
		.restarts = atomic_load(&o->sinks[i].restarts),
	};
}

void outputs_get_stats(struct outputs *o, struct outputs_stats *ret)
{
	pthread_mutex_lock(&o->lock);
	*ret = o->stats;
	ret->queued = o->stopped ? 0 : o->queue.count;
	ret->abandoned = o->stopped ? o->queue.count : 0;
	for (size_t i = 0; i < _OUTPUTS_SINK_MAX; i++)
		sink_stats_of(o, i, &ret->sinks[i]);
	pthread_mutex_unlock(&o->lock);
}

int outputs_get_sink_stats(struct outputs *o, enum outputs_sink_id id,
			   struct outputs_sink_stats *ret)
{
	if ((unsigned)id >= _OUTPUTS_SINK_MAX)
		return -EINVAL;
	pthread_mutex_lock(&o->lock);
	sink_stats_of(o, id, ret);
	pthread_mutex_unlock(&o->lock);
	return 0;
}
