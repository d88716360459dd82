// SPDX-License-Identifier: GPL-2.0-only
/*
 * osprey: the kernel module driver of the Osprey runtime-security system.
 *
 * Produces the events of driver/schema (the same records as the eBPF probe)
 * into per-CPU ring buffers that userspace maps from /dev/osprey<cpu>. See
 * driver/schema/osprey_kmod_abi.h for the device interface and README.md
 * for the parameters and the supported kernels.
 *
 * Buffers for every possible CPU and every consumer slot are allocated at
 * load, so CPU hotplug needs no handling: an offline CPU's buffer stays
 * empty, a CPU coming online finds its buffer ready.
 */
#include <linux/bug.h>
#include <linux/cdev.h>
#include <linux/cpumask.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/stringify.h>
#include <linux/threads.h>
#include <linux/uaccess.h>
#include <linux/version.h>

#include "osprey.h"
#include "syscall_map.h"

static unsigned int buffer_bytes_per_cpu = OSP_KMOD_BUFFER_DEFAULT;
module_param(buffer_bytes_per_cpu, uint, 0444);
MODULE_PARM_DESC(buffer_bytes_per_cpu,
		 "Bytes of one CPU's ring buffer: a power of two from 65536 to 268435456 (default 8388608)");

static unsigned int max_consumers = 1;
module_param(max_consumers, uint, 0444);
MODULE_PARM_DESC(max_consumers,
		 "Processes that may capture at the same time, each with its own buffers: 1 to 16 (default 1)");

struct osp_consumer *osp_consumers;
unsigned int osp_nconsumers;
DEFINE_MUTEX(osp_consumers_lock);

static unsigned int osp_nrunning; /* consumers capturing; probes attached while > 0 */
static dev_t osp_devt;
static struct cdev osp_cdev;
static struct class *osp_class;

/* One open device: its consumer and its CPU. */
struct osp_file {
	struct osp_consumer *consumer;
	struct osp_ring *ring;
};

/* Settings of a freshly claimed consumer: every mapped syscall, every process event. */
static void osp_consumer_defaults(struct osp_consumer *c)
{
	unsigned int nr;

	c->snaplen = OSP_SNAPLEN_DEFAULT;
	c->ignore_tgid = 0;
	c->proc_events = OSP_KMOD_PROC_ALL;
	for (nr = 0; nr < OSP_SYSCALL_MAX; nr++)
		c->interest[nr] = osp_syscall_to_event[nr] != 0;
}

static void osp_consumer_reset_rings(struct osp_consumer *c)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		if (c->rings[cpu])
			osp_ring_reset(c->rings[cpu]);
}

/* Called with osp_consumers_lock held. */
static int osp_consumer_start(struct osp_consumer *c)
{
	int r;

	if (c->running)
		return 0;
	if (osp_nrunning == 0) {
		r = osp_probes_register();
		if (r < 0)
			return r;
	}
	osp_nrunning++;
	WRITE_ONCE(c->running, 1);
	return 0;
}

/* Called with osp_consumers_lock held. */
static void osp_consumer_stop(struct osp_consumer *c)
{
	if (!c->running)
		return;
	WRITE_ONCE(c->running, 0);
	if (--osp_nrunning == 0)
		osp_probes_unregister();
	else
		osp_probes_sync();
}

static int osp_open(struct inode *inode, struct file *file)
{
	unsigned int cpu = iminor(inode);
	struct osp_consumer *c = NULL;
	struct osp_file *f;
	pid_t tgid = current->tgid;
	unsigned int i;
	int r = 0;

	if (cpu >= nr_cpu_ids || !cpu_possible(cpu))
		return -ENXIO;
	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;

	mutex_lock(&osp_consumers_lock);
	for (i = 0; i < osp_nconsumers; i++)
		if (osp_consumers[i].owner == tgid)
			c = &osp_consumers[i];
	for (i = 0; !c && i < osp_nconsumers; i++) {
		if (osp_consumers[i].owner)
			continue;
		c = &osp_consumers[i];
		c->owner = tgid;
		osp_consumer_defaults(c);
		osp_consumer_reset_rings(c);
	}
	if (!c) {
		r = -EBUSY; /* max_consumers processes capture already */
		goto out_unlock;
	}
	c->nopen++;
	f->consumer = c;
	f->ring = c->rings[cpu];
	file->private_data = f;
	f = NULL;
out_unlock:
	mutex_unlock(&osp_consumers_lock);
	kfree(f);
	return r;
}

static int osp_release(struct inode *inode, struct file *file)
{
	struct osp_file *f = file->private_data;
	struct osp_consumer *c = f->consumer;

	mutex_lock(&osp_consumers_lock);
	if (--c->nopen == 0) {
		osp_consumer_stop(c);
		osp_consumer_reset_rings(c);
		c->owner = 0;
	}
	mutex_unlock(&osp_consumers_lock);
	kfree(f);
	return 0;
}

static void osp_vma_clear_maywrite(struct vm_area_struct *vma)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_clear(vma, VM_MAYWRITE);
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
#else
	vma->vm_flags &= ~VM_MAYWRITE;
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP;
#endif
}

static void osp_vma_set_flags(struct vm_area_struct *vma)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
#else
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP;
#endif
}

/*
 * Offset OSP_KMOD_MMAP_CTRL: the control page, shared, read-write.
 * Offset OSP_KMOD_MMAP_DATA: the data pages twice, read-only.
 */
static int osp_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct osp_file *f = file->private_data;
	struct osp_ring *ring = f->ring;
	unsigned long len = vma->vm_end - vma->vm_start;
	unsigned long i;
	int r;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (vma->vm_pgoff == OSP_KMOD_MMAP_CTRL >> PAGE_SHIFT) {
		if (len != PAGE_SIZE)
			return -EINVAL;
		osp_vma_set_flags(vma);
		return vm_insert_page(vma, vma->vm_start, ring->ctrl_page);
	}
	if (vma->vm_pgoff != OSP_KMOD_MMAP_DATA >> PAGE_SHIFT)
		return -EINVAL;
	if (len != 2 * ring->size)
		return -EINVAL;
	if (vma->vm_flags & VM_WRITE)
		return -EPERM;
	osp_vma_clear_maywrite(vma);
	for (i = 0; i < 2 * ring->npages; i++) {
		r = vm_insert_page(vma, vma->vm_start + i * PAGE_SIZE,
				   ring->pages[i % ring->npages]);
		if (r < 0)
			return r;
	}
	return 0;
}

static long osp_ioctl_set_interest(struct osp_consumer *c, void __user *arg)
{
	struct osp_kmod_interest *in;
	unsigned int nr;
	long r = 0;

	in = memdup_user(arg, sizeof(*in));
	if (IS_ERR(in))
		return PTR_ERR(in);
	if (in->reserved || (in->proc_events & ~OSP_KMOD_PROC_ALL)) {
		r = -EINVAL;
		goto out_free;
	}
	mutex_lock(&osp_consumers_lock);
	for (nr = 0; nr < OSP_SYSCALL_MAX; nr++)
		WRITE_ONCE(c->interest[nr], in->syscalls[nr] ? 1 : 0);
	WRITE_ONCE(c->proc_events, in->proc_events);
	mutex_unlock(&osp_consumers_lock);
out_free:
	kfree(in);
	return r;
}

static long osp_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct osp_file *f = file->private_data;
	struct osp_consumer *c = f->consumer;
	void __user *uarg = (void __user *)arg;
	struct osp_counters stats;
	struct osp_kmod_info info;
	u32 v;
	long r;

	switch (cmd) {
	case OSP_KMOD_IOC_GET_INFO:
		memset(&info, 0, sizeof(info));
		info.api_version = OSP_API_VERSION;
		info.schema_version = OSP_SCHEMA_VERSION;
		info.ndevices = nr_cpu_ids;
		info.cpu = f->ring->cpu;
		info.data_size = f->ring->size;
		info.max_consumers = osp_nconsumers;
		info.snaplen_max = OSP_SNAPLEN_MAX;
		return copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : 0;
	case OSP_KMOD_IOC_START:
		mutex_lock(&osp_consumers_lock);
		r = osp_consumer_start(c);
		mutex_unlock(&osp_consumers_lock);
		return r;
	case OSP_KMOD_IOC_STOP:
		mutex_lock(&osp_consumers_lock);
		osp_consumer_stop(c);
		mutex_unlock(&osp_consumers_lock);
		return 0;
	case OSP_KMOD_IOC_SET_INTEREST:
		return osp_ioctl_set_interest(c, uarg);
	case OSP_KMOD_IOC_SET_SNAPLEN:
		if (get_user(v, (u32 __user *)uarg))
			return -EFAULT;
		if (v == 0 || v > OSP_SNAPLEN_MAX)
			return -EINVAL;
		WRITE_ONCE(c->snaplen, v);
		return 0;
	case OSP_KMOD_IOC_GET_STATS:
		memcpy(&stats, &f->ring->ctrl->counters, sizeof(stats));
		return copy_to_user(uarg, &stats, sizeof(stats)) ? -EFAULT : 0;
	case OSP_KMOD_IOC_SET_IGNORE_TGID:
		if (get_user(v, (u32 __user *)uarg))
			return -EFAULT;
		if (v > PID_MAX_LIMIT)
			return -EINVAL;
		WRITE_ONCE(c->ignore_tgid, (pid_t)v);
		return 0;
	default:
		return -ENOTTY;
	}
}

static const struct file_operations osp_fops = {
	/* .owner makes open() take a module reference: rmmod fails while a device is open. */
	.owner = THIS_MODULE,
	.open = osp_open,
	.release = osp_release,
	.mmap = osp_mmap,
	.unlocked_ioctl = osp_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static void osp_consumers_free(void)
{
	unsigned int i, cpu;

	if (!osp_consumers)
		return;
	for (i = 0; i < osp_nconsumers; i++) {
		if (!osp_consumers[i].rings)
			continue;
		for_each_possible_cpu(cpu)
			osp_ring_free(osp_consumers[i].rings[cpu]);
		kfree(osp_consumers[i].rings);
	}
	kfree(osp_consumers);
	osp_consumers = NULL;
}

static int osp_consumers_alloc(unsigned int n, u64 size)
{
	unsigned int i, cpu;
	int r;

	osp_consumers = kcalloc(n, sizeof(*osp_consumers), GFP_KERNEL);
	if (!osp_consumers)
		return -ENOMEM;
	osp_nconsumers = n;
	for (i = 0; i < n; i++) {
		struct osp_consumer *c = &osp_consumers[i];

		c->rings = kcalloc(nr_cpu_ids, sizeof(*c->rings), GFP_KERNEL);
		if (!c->rings)
			goto out_nomem;
		for_each_possible_cpu(cpu) {
			r = osp_ring_alloc(cpu, size, &c->rings[cpu]);
			if (r < 0)
				goto out_free;
		}
		osp_consumer_defaults(c);
	}
	return 0;

out_nomem:
	r = -ENOMEM;
out_free:
	osp_consumers_free();
	return r;
}

static void osp_devices_destroy(unsigned int upto)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		if (cpu < upto)
			device_destroy(osp_class, MKDEV(MAJOR(osp_devt), cpu));
}

static int osp_check_params(void)
{
	if (buffer_bytes_per_cpu < OSP_KMOD_BUFFER_MIN || buffer_bytes_per_cpu > OSP_KMOD_BUFFER_MAX ||
	    !is_power_of_2(buffer_bytes_per_cpu) || buffer_bytes_per_cpu % PAGE_SIZE) {
		pr_err("osprey: buffer_bytes_per_cpu=%u is invalid: use a power of two from %u to %u that is a multiple of the page size (%lu)\n",
		       buffer_bytes_per_cpu, OSP_KMOD_BUFFER_MIN, OSP_KMOD_BUFFER_MAX, PAGE_SIZE);
		return -EINVAL;
	}
	if (max_consumers < 1 || max_consumers > OSP_KMOD_CONSUMERS_MAX) {
		pr_err("osprey: max_consumers=%u is invalid: use 1 to %u\n", max_consumers,
		       OSP_KMOD_CONSUMERS_MAX);
		return -EINVAL;
	}
	return 0;
}

static void osp_build_checks(void)
{
	/* The ABI, pinned: a change here is an API major bump. */
	BUILD_BUG_ON(sizeof(struct osp_event_hdr) != 24);
	BUILD_BUG_ON(sizeof(struct osp_counters) != 64);
	BUILD_BUG_ON(sizeof(struct osp_kmod_ctrl) != 256);
	BUILD_BUG_ON(offsetof(struct osp_kmod_ctrl, tail) != 64);
	BUILD_BUG_ON(offsetof(struct osp_kmod_ctrl, magic) != 128);
	BUILD_BUG_ON(offsetof(struct osp_kmod_ctrl, counters) != 192);
	BUILD_BUG_ON(sizeof(struct osp_kmod_info) != 32);
	BUILD_BUG_ON(sizeof(struct osp_kmod_interest) != OSP_SYSCALL_MAX + 8);
	BUILD_BUG_ON(PAGE_SIZE != OSP_KMOD_CTRL_SIZE);
	BUILD_BUG_ON(OSP_KMOD_MMAP_DATA != PAGE_SIZE);
}

static int __init osp_init(void)
{
	unsigned int cpu, created = 0;
	struct device *dev;
	int r;

	osp_build_checks();
	r = osp_check_params();
	if (r < 0)
		return r;
	r = osp_probes_init();
	if (r < 0)
		return r;
	r = osp_consumers_alloc(max_consumers, buffer_bytes_per_cpu);
	if (r < 0) {
		pr_err("osprey: cannot allocate %u x %u buffers of %u bytes: %d\n", max_consumers,
		       num_possible_cpus(), buffer_bytes_per_cpu, r);
		goto out_probes;
	}

	r = alloc_chrdev_region(&osp_devt, 0, nr_cpu_ids, OSP_KMOD_NAME);
	if (r < 0)
		goto out_consumers;
	cdev_init(&osp_cdev, &osp_fops);
	osp_cdev.owner = THIS_MODULE;
	r = cdev_add(&osp_cdev, osp_devt, nr_cpu_ids);
	if (r < 0)
		goto out_region;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
	osp_class = class_create(OSP_KMOD_NAME);
#else
	osp_class = class_create(THIS_MODULE, OSP_KMOD_NAME);
#endif
	if (IS_ERR(osp_class)) {
		r = PTR_ERR(osp_class);
		goto out_cdev;
	}
	for_each_possible_cpu(cpu) {
		dev = device_create(osp_class, NULL, MKDEV(MAJOR(osp_devt), cpu), NULL,
				    OSP_KMOD_NAME "%u", cpu);
		if (IS_ERR(dev)) {
			r = PTR_ERR(dev);
			goto out_devices;
		}
		created = cpu + 1;
	}

	pr_info("osprey: driver %s (api %u.%u.%u, schema %u.%u.%u) loaded: %u devices, %u bytes per buffer, %u consumers\n",
		OSP_DRIVER_VERSION, OSP_API_VERSION_MAJOR, OSP_API_VERSION_MINOR,
		OSP_API_VERSION_PATCH, OSP_SCHEMA_VERSION_MAJOR, OSP_SCHEMA_VERSION_MINOR,
		OSP_SCHEMA_VERSION_PATCH, num_possible_cpus(), buffer_bytes_per_cpu,
		max_consumers);
	return 0;

out_devices:
	osp_devices_destroy(created);
	class_destroy(osp_class);
out_cdev:
	cdev_del(&osp_cdev);
out_region:
	unregister_chrdev_region(osp_devt, nr_cpu_ids);
out_consumers:
	osp_consumers_free();
out_probes:
	osp_probes_exit();
	return r;
}

static void __exit osp_exit(void)
{
	/* No device is open (module reference), so no consumer runs and no probe is attached. */
	osp_devices_destroy(nr_cpu_ids);
	class_destroy(osp_class);
	cdev_del(&osp_cdev);
	unregister_chrdev_region(osp_devt, nr_cpu_ids);
	osp_consumers_free();
	osp_probes_exit();
}

module_init(osp_init);
module_exit(osp_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Osprey runtime-security event driver");
MODULE_AUTHOR("The Osprey authors");
MODULE_VERSION(OSP_DRIVER_VERSION);
MODULE_INFO(api_version, __stringify(OSP_API_VERSION_MAJOR) "." __stringify(
			 OSP_API_VERSION_MINOR) "." __stringify(OSP_API_VERSION_PATCH));
MODULE_INFO(schema_version, __stringify(OSP_SCHEMA_VERSION_MAJOR) "." __stringify(
			    OSP_SCHEMA_VERSION_MINOR) "." __stringify(OSP_SCHEMA_VERSION_PATCH));
