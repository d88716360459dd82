// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ops_config.h"

const char *const ops_drop_action_words[] = {"ignore", "log", "alert", "exit", NULL};
const char *const ops_watchdog_action_words[] = {"alert", "healthz", "exit", "reopen", NULL};

void ops_config_init(struct ops_config *c)
{
	*c = (struct ops_config){
		.webserver =
			{
				.listen_address = strdup("0.0.0.0"),
				.listen_port = 8765,
				.k8s_healthz_endpoint = strdup("/healthz"),
				.ssl_certificate = strdup("/etc/osprey/certs/server.pem"),
				.max_connections = 64,
			},
		.metrics =
			{
				.interval_ms = 3600u * 1000u,
				.output_rule = true,
				.output_file = strdup(""),
				.rules_counters_enabled = true,
				.resource_utilization_enabled = true,
				.state_counters_enabled = true,
				.kernel_event_counters_enabled = true,
				.convert_memory_to_mb = true,
				.rules_timing_enabled = true,
			},
		.syscall_event_drops =
			{
				.threshold = 0.1,
				.actions = OPS_DROP_LOG | OPS_DROP_ALERT,
				.rate = 0.03333,
				.max_burst = 1,
			},
		.watchdog =
			{
				.enabled = true,
				.interval_ms = 5000,
				.timeout_ms = 10000,
				.actions = OPS_WATCHDOG_ALERT | OPS_WATCHDOG_HEALTHZ |
					   OPS_WATCHDOG_REOPEN,
			},
		.recovery =
			{
				.max_errors = 16,
				.max_reopens = 5,
				.backoff_ms = 1000,
				.backoff_max_ms = 60000,
			},
	};
}

void ops_config_done(struct ops_config *c)
{
	free(c->webserver.listen_address);
	free(c->webserver.k8s_healthz_endpoint);
	free(c->webserver.ssl_certificate);
	free(c->webserver.ssl_client_ca);
	free(c->metrics.output_file);
	*c = (struct ops_config){};
}

int ops_duration_parse(const char *s, uint64_t *ret)
{
	static const struct {
		const char *unit;
		uint64_t ms;
	} units[] = {
		{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"d", 86400000},
	};
	uint64_t total = 0;
	bool any = false;

	if (!s || !*s)
		return -EINVAL;
	while (*s) {
		uint64_t v = 0, mul = 0;
		size_t digits = 0;

		while (*s >= '0' && *s <= '9') {
			if (v > 1000000000000ull)
				return -ERANGE;
			v = v * 10 + (uint64_t)(*s++ - '0');
			digits++;
		}
		if (!digits)
			return -EINVAL;
		if (!*s && !any) { /* a plain number: seconds */
			mul = 1000;
		} else {
			for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
				size_t n = strlen(units[i].unit);

				if (strncmp(s, units[i].unit, n) == 0 &&
				    !(n == 1 && units[i].unit[0] == 'm' && s[1] == 's')) {
					mul = units[i].ms;
					s += n;
					break;
				}
			}
			if (!mul)
				return -EINVAL;
		}
		total += v * mul;
		if (total > 366ull * 86400000ull)
			return -ERANGE;
		any = true;
	}
	*ret = total;
	return 0;
}
