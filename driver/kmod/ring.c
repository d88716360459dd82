// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-CPU ring buffers. Each ring is a control page plus npages data pages;
 * the data pages are vmap'd twice back to back so that a record that wraps
 * past the end is written (and read by userspace, which maps them the same
 * way) as one contiguous block. See osprey_kmod_abi.h for the protocol.
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/topology.h>
#include <linux/vmalloc.h>
#include <asm/barrier.h>

#include "osprey.h"

static void osp_ring_free_pages(struct osp_ring *ring)
{
	unsigned long i;

	for (i = 0; i < ring->npages; i++)
		if (ring->pages[i])
			__free_page(ring->pages[i]);
}

int osp_ring_alloc(unsigned int cpu, u64 size, struct osp_ring **ret)
{
	struct page **map;
	struct osp_ring *ring;
	int node = cpu_to_node(cpu);
	unsigned long i;

	ring = kzalloc_node(sizeof(*ring), GFP_KERNEL, node);
	if (!ring)
		return -ENOMEM;
	ring->cpu = cpu;
	ring->size = size;
	ring->npages = size >> PAGE_SHIFT;
	ring->pages = kvcalloc(ring->npages, sizeof(*ring->pages), GFP_KERNEL);
	if (!ring->pages)
		goto out_free_ring;
	for (i = 0; i < ring->npages; i++) {
		ring->pages[i] = alloc_pages_node(node, GFP_KERNEL | __GFP_ZERO, 0);
		if (!ring->pages[i])
			goto out_free_pages;
	}
	ring->ctrl_page = alloc_pages_node(node, GFP_KERNEL | __GFP_ZERO, 0);
	if (!ring->ctrl_page)
		goto out_free_pages;
	ring->ctrl = page_address(ring->ctrl_page);

	/* The same pages twice: a temporary array of 2 * npages entries. */
	map = kvcalloc(2 * ring->npages, sizeof(*map), GFP_KERNEL);
	if (!map)
		goto out_free_ctrl;
	for (i = 0; i < ring->npages; i++) {
		map[i] = ring->pages[i];
		map[i + ring->npages] = ring->pages[i];
	}
	ring->data = vmap(map, 2 * ring->npages, VM_MAP, PAGE_KERNEL);
	kvfree(map);
	if (!ring->data)
		goto out_free_ctrl;

	osp_ring_reset(ring);
	*ret = ring;
	return 0;

out_free_ctrl:
	__free_page(ring->ctrl_page);
out_free_pages:
	osp_ring_free_pages(ring);
	kvfree(ring->pages);
out_free_ring:
	kfree(ring);
	return -ENOMEM;
}

void osp_ring_free(struct osp_ring *ring)
{
	if (!ring)
		return;
	vunmap(ring->data);
	__free_page(ring->ctrl_page);
	osp_ring_free_pages(ring);
	kvfree(ring->pages);
	kfree(ring);
}

/* Empties the ring and zeroes its counters. Only while no probe writes to it. */
void osp_ring_reset(struct osp_ring *ring)
{
	struct osp_kmod_ctrl *c = ring->ctrl;

	memset(c, 0, OSP_KMOD_CTRL_SIZE);
	c->magic = OSP_KMOD_CTRL_MAGIC;
	c->api_version = OSP_API_VERSION;
	c->schema_version = OSP_SCHEMA_VERSION;
	c->cpu = ring->cpu;
	c->data_size = ring->size;
	smp_wmb();
}

/*
 * Single producer per ring: called on the ring's own CPU with preemption
 * disabled, and the probes never nest, so head is ours alone. tail comes
 * from userspace and is not trusted: a tail that is ahead of head or more
 * than a buffer behind leaves no room, and the record is dropped.
 */
void osp_ring_commit(struct osp_ring *ring, const void *rec, u32 len)
{
	struct osp_kmod_ctrl *c = ring->ctrl;
	u64 head = c->head;
	u64 tail = smp_load_acquire(&c->tail);
	u64 used = head - tail;

	if (used > ring->size || len > ring->size - used) {
		c->counters.drops_buffer++;
		return;
	}
	memcpy(ring->data + (head & (ring->size - 1)), rec, len);
	c->counters.events++;
	smp_store_release(&c->head, head + len);
}
