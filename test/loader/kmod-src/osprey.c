// SPDX-License-Identifier: GPL-2.0-only
/*
 * A minimal module named like the driver, for the loader's tests: building it
 * against Debian's headers exercises the build fallback and `mirror build`,
 * and the .ko carries a real vermagic. It does nothing when loaded.
 */
#include <linux/init.h>
#include <linux/module.h>

static int __init osprey_test_init(void)
{
	return 0;
}

static void __exit osprey_test_exit(void)
{
}

module_init(osprey_test_init);
module_exit(osprey_test_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("osprey-driver-loader test module");
