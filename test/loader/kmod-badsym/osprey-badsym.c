// SPDX-License-Identifier: GPL-2.0-only
/*
 * A module the kernel must refuse at insertion: it calls a function no kernel exports, the way
 * a module built against the wrong headers can. The loader's test checks that the refusal is
 * explained ("unknown symbol") rather than reported as a bare errno.
 */
#include <linux/init.h>
#include <linux/module.h>

extern int osprey_test_missing_symbol(void);

static int __init osprey_badsym_init(void)
{
	return osprey_test_missing_symbol();
}

static void __exit osprey_badsym_exit(void)
{
}

module_init(osprey_badsym_init);
module_exit(osprey_badsym_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("osprey-driver-loader test module with an unresolvable symbol");
