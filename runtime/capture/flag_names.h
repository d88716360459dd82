/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Symbolic names of the flag and enum values that events carry: one table per
 * OSP_FT_* id of osprey_schema.h (O_CREAT, CLONE_NEWNS, PTRACE_ATTACH ...).
 *
 * The numbers are the kernel's (UAPI) values as the producers see them in the
 * raw system call arguments, for the architecture Osprey is built for. Names
 * are the C constants' names, so that rules can say
 * "evt.arg.flags contains O_CREAT".
 *
 * A table is either an enum (the whole value is one name) or a mask (the value
 * is split into names; an entry can name a multi-bit field, e.g. the access
 * mode O_RDONLY/O_WRONLY/O_RDWR or the exit signal in clone flags).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Formats value with table's names into buf (always NUL-terminated when size > 0):
 * "O_WRONLY|O_CREAT|O_TRUNC", "PTRACE_ATTACH". Bits no name covers are appended as one hex
 * remainder ("O_RDONLY|0x40000000"); an enum value without a name is printed in decimal. is_enum
 * says how to print a value of a table this build does not know (a newer schema's table id).
 * Returns the length of the full text (as snprintf does: >= size means it was cut).
 */
int flag_names_format(uint8_t table, uint64_t value, bool is_enum, char *buf, size_t size);

/* The value of one name in a table ("O_CREAT" -> 0100). Returns 0, -ENOENT, or -EINVAL (table). */
int flag_names_lookup(uint8_t table, const char *name, uint64_t *ret);

/*
 * "Does flag_names_format(table, value)'s text contain name?" without the text, for a name whose
 * presence says exactly which entry was printed. flag_names_plain_entry() looks name up once:
 * the index of the mask table's entry of that name; -ENOENT when no text of that table can
 * contain it (not an entry, not inside one); -EDOM when only the text can answer (an enum table,
 * a name inside another entry's name or the zero name, one with '|', one made of hex digits).
 * flag_names_entry_printed() then says whether the entry is printed for value.
 */
int flag_names_plain_entry(uint8_t table, const char *name);
bool flag_names_entry_printed(uint8_t table, int entry, uint64_t value);

/* The bits of a mask table that are never printed (Falco drops them: clone's exit signal). */
uint64_t flag_names_hidden(uint8_t table);

/* Whether table holds enum values rather than masks. False for unknown tables. */
bool flag_names_is_enum(uint8_t table);

/* Entries of a table: count (0 for an unknown table) and the i-th name and value (-ERANGE). */
size_t flag_names_count(uint8_t table);
int flag_names_get(uint8_t table, size_t i, const char **ret_name, uint64_t *ret_value);

/* "SIGKILL" for 9, NULL for a number without a name (real-time signals, out of range). */
const char *flag_names_signal(uint32_t sig);
