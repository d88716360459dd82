// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmsmoke: the smallest module that proves the VM test harness works.
 *
 * Loading it registers the misc device /dev/vmsmoke, which reads back the
 * line "vmsmoke alive\n" (then end of file), and logs one line; unloading
 * removes the device and logs one line. test/vm/smoke-inside.sh checks all
 * of that from inside the VM.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

static const char vmsmoke_line[] = "vmsmoke alive\n";

static ssize_t vmsmoke_read(struct file *file, char __user *buf, size_t len, loff_t *ppos)
{
	return simple_read_from_buffer(buf, len, ppos, vmsmoke_line, sizeof(vmsmoke_line) - 1);
}

static const struct file_operations vmsmoke_fops = {
	.owner = THIS_MODULE,
	.read = vmsmoke_read,
	.llseek = default_llseek,
};

static struct miscdevice vmsmoke_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "vmsmoke",
	.fops = &vmsmoke_fops,
	.mode = 0444,
};

static int __init vmsmoke_init(void)
{
	int r;

	r = misc_register(&vmsmoke_dev);
	if (r < 0) {
		pr_err("misc_register failed: %d\n", r);
		return r;
	}
	pr_info("loaded, /dev/vmsmoke registered\n");
	return 0;
}

static void __exit vmsmoke_exit(void)
{
	misc_deregister(&vmsmoke_dev);
	pr_info("unloaded\n");
}

module_init(vmsmoke_init);
module_exit(vmsmoke_exit);

MODULE_DESCRIPTION("Osprey VM harness smoke-test module");
MODULE_AUTHOR("The Osprey authors");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
