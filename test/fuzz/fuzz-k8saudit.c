// SPDX-License-Identifier: Apache-2.0
/*
 * Fuzzes the k8s_audit payload parser (a file line or a webhook body) and field extraction.
 * Properties: a payload is refused with a reason or yields events; each event has a time; the
 * rules (one per kind of field, compiled once) evaluate, and every field renders into a bounded,
 * NUL-terminated buffer, "<NA>" when missing, without crashing.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8saudit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char rules[] =
	"- rule: a\n  desc: d\n  priority: INFO\n  source: k8s_audit\n"
	"  output: \"%ka.user.name %ka.req.pod.containers.image %jevt.value[/a/0/b~1c]\"\n"
	"  condition: ka.req.pod.containers.image.repository in (nginx, busybox) or "
	"ka.req.role.rules.verbs intersects (create) or ka.uri.param[command] startswith /bin or "
	"ka.req.volume.hostpath[/var*] = true or tolower(ka.verb) = get or "
	"len(ka.user.groups) > 1 or jevt.value[/stage] regex 'Resp.*' or ka.uri glob '/api/*' "
	"or ka.response.code pmatch (/2) or not ka.target.subresource exists\n";

static struct k8saudit_engine *engine;
static struct ruleset *rs;

static int on_event(const struct k8saudit_event *ev, void *userdata)
{
	const struct field_source *src = k8saudit_field_source();
	char buf[256];
	size_t *n = userdata;

	(*n)++;
	k8saudit_engine_match(engine, ev, NULL, NULL);
	for (size_t i = 0; i < src->n_fields; i++) {
		struct field_ref ref;
		const char *why, *arg = NULL;

		if (src->fields[i].arg == FA_KEY_REQ)
			arg = strncmp(src->fields[i].name, "jevt", 4) == 0 ||
					      strncmp(src->fields[i].name, "json", 4) == 0
				      ? "/requestObject/spec/containers/0"
				      : "command";
		if (field_resolve_in(src, src->fields[i].name, arg, &ref, &why) < 0)
			abort();
		int r = k8saudit_field_render(engine, ev, &ref, buf, sizeof(buf));

		if ((r < 0 && r != -ENOENT) || strlen(buf) >= sizeof(buf))
			abort();
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct k8saudit_parser *p;
	struct k8saudit_engine_opts o = {.min_priority = PRIORITY_DEBUG, .match_all = true};
	char err[256];
	size_t n = 0;
	int r;

	if (!p) {
		struct diag_list d = {};

		k8saudit_register();
		rs = ruleset_new();
		if (!rs || k8saudit_parser_new(&p) < 0)
			abort();
		ruleset_load_buffer(rs, "f.yaml", rules, strlen(rules), &d);
		if (ruleset_compile(rs, &d) < 0 || k8saudit_engine_new(rs, &o, &engine) < 0) {
			diag_list_print(&d, stderr);
			abort();
		}
		diag_list_clear(&d);
	}
	r = k8saudit_parse(p, (const char *)data, size, on_event, &n, err, sizeof(err));
	if (r < 0 && (!err[0] || n != 0))
		abort(); /* refused: with a reason, and before handing anything out */
	if (r >= 0 && (size_t)r != n)
		abort();
	return 0;
}

__attribute__((unused)) static void fuzz_seeds(void (*emit)(const uint8_t *data, size_t size))
{
	static const char *const seeds[] = {
		"{\"kind\":\"Event\",\"stage\":\"ResponseComplete\",\"verb\":\"create\","
		"\"requestURI\":\"/api/v1/pods/p/exec?command=%2Fbin%2Fsh&x\","
		"\"user\":{\"username\":\"u\",\"groups\":[\"a\",\"b\"]},\"objectRef\":"
		"{\"resource\":\"pods\",\"name\":\"p\"},\"responseStatus\":{\"code\":201},"
		"\"requestObject\":{\"spec\":{\"containers\":[{\"image\":\"nginx:1\",\"ports\":"
		"[{\"hostPort\":1}],\"securityContext\":{\"privileged\":true}}],\"volumes\":"
		"[{\"name\":\"v\",\"hostPath\":{\"path\":\"/var/run\"}}]},\"rules\":[{\"verbs\":"
		"[\"create\",null]}],\"subjects\":[{\"kind\":\"User\",\"name\":\"x\"}]},"
		"\"a\":[{\"b/c\":1}],\"stageTimestamp\":\"2023-01-02T03:04:05.123Z\"}",
		"{\"kind\":\"EventList\",\"items\":[{\"kind\":\"Event\",\"stageTimestamp\":"
		"\"2023-01-02T03:04:05+02:00\"},{},3,{\"stageTimestamp\":\"x\"}]}",
		"[{\"kind\":\"Event\",\"stageTimestamp\":\"2023-01-02T03:04:05Z\"},[]]",
		"{\"kind\":0}",
		"{\"kind\":\"Event\"",
	};

	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		emit((const uint8_t *)seeds[i], strlen(seeds[i]));
}

#include "fuzz-main.h"
