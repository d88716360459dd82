/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container.* and k8s.* fields: container.id, .full_id and .type from the thread's cgroup
 * (state), everything else from the metadata layer's published entry (meta.h), asked through
 * state_meta(). Strings are copied into the event's arena: the entry may be replaced by the
 * metadata thread once the reference is dropped. A container not described yet reads <NA>
 * (its lookup is queued; meta_stats.misses counts it).
 */
#pragma once

#include <stddef.h>

#include "extract.h"

/* The values of ref when it is a container or k8s field (at most max into out); SIZE_MAX for
 * any other field. */
size_t extract_container_field(struct extract_ctx *c, const struct field_ref *ref,
			       struct xval *out, size_t max);
