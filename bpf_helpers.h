/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpf_helpers.h - generic glue for BPF programs built with clang -target bpf.
 *
 * Only what any BPF program needs: the SEC() macro that names ELF sections
 * (the loader reads the program type from the section name), the legacy
 * map definition the loader parses from the "maps" section, and the
 * helper functions.  A helper is a call to a fixed number (enum
 * bpf_func_id in linux/bpf.h); declaring it as a pointer to that number is
 * what makes clang emit "call N".  Nothing ebph-specific lives here.
 */
#ifndef BPF_HELPERS_H
#define BPF_HELPERS_H

#include <linux/types.h>
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))

/* <linux/stddef.h>, included above through <linux/types.h>, defines
 * __always_inline as a plain __inline__, which clang is free to ignore:
 * replace it with the real thing. */
#undef __always_inline
#define __always_inline inline __attribute__((always_inline))

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)

/*
 * A map as the loader sees it: one of these per map, in section "maps",
 * named by its ELF symbol.  The loader checks that the section holds a
 * whole number of them and that any bytes it does not know are zero, so a
 * newer object is refused instead of misread.
 */
struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;	/* 0 for PERF_EVENT_ARRAY: one per CPU */
	unsigned int map_flags;
};

/*
 * BPF_MAP_TYPES(name, key type, value type), after map NAME's definition,
 * tells the kernel what its keys and values are, which struct bpf_map_def
 * cannot (it has only their sizes): with it, `bpftool map dump` prints
 * each field by name.  The struct carries the two types into the object's
 * BTF (clang -g), where the loader looks for ____btf_map_NAME; a variable
 * of that type is what makes clang emit it, in a section of its own that
 * no program uses.  The iproute2 and libbpf loaders read the same
 * annotation (BPF_ANNOTATE_KV_PAIR).
 */
#define BPF_MAP_TYPES(name, key_type, value_type)			\
	struct ____btf_map_##name {					\
		key_type key;						\
		value_type value;					\
	};								\
	struct ____btf_map_##name					\
	__attribute__((section(".maps." #name), used))			\
		____btf_map_##name = {}

/* ---- helpers (numbers from enum bpf_func_id) ---------------------------- */

/* The loader includes this file for struct bpf_map_def; what follows
 * exists only for BPF programs. */
#ifdef __bpf__

static void *(*bpf_map_lookup_elem)(void *map, const void *key) =
	(void *)BPF_FUNC_map_lookup_elem;
static long (*bpf_map_update_elem)(void *map, const void *key,
				   const void *value, __u64 flags) =
	(void *)BPF_FUNC_map_update_elem;
static long (*bpf_map_delete_elem)(void *map, const void *key) =
	(void *)BPF_FUNC_map_delete_elem;
static __u64 (*bpf_ktime_get_boot_ns)(void) =
	(void *)BPF_FUNC_ktime_get_boot_ns;
static __u64 (*bpf_jiffies64)(void) = (void *)BPF_FUNC_jiffies64;
static __u64 (*bpf_get_current_pid_tgid)(void) =
	(void *)BPF_FUNC_get_current_pid_tgid;
static __u64 (*bpf_get_current_uid_gid)(void) =
	(void *)BPF_FUNC_get_current_uid_gid;
static long (*bpf_get_current_comm)(void *buf, __u32 size) =
	(void *)BPF_FUNC_get_current_comm;
static __u64 (*bpf_get_current_task)(void) =
	(void *)BPF_FUNC_get_current_task;
/* The same pointer, typed from the kernel's BTF: the verifier lets a
 * program load a field of it directly, where bpf_get_current_task()'s
 * plain number needs a bpf_probe_read_kernel(). */
static void *(*bpf_get_current_task_btf)(void) =
	(void *)BPF_FUNC_get_current_task_btf;
static __u64 (*bpf_get_current_cgroup_id)(void) =
	(void *)BPF_FUNC_get_current_cgroup_id;
static long (*bpf_probe_read_kernel)(void *dst, __u32 size,
				     const void *unsafe_ptr) =
	(void *)BPF_FUNC_probe_read_kernel;
static long (*bpf_probe_read_kernel_str)(void *dst, __u32 size,
					 const void *unsafe_ptr) =
	(void *)BPF_FUNC_probe_read_kernel_str;
static long (*bpf_perf_event_output)(void *ctx, void *map, __u64 flags,
				     void *data, __u64 size) =
	(void *)BPF_FUNC_perf_event_output;
static long (*bpf_send_signal_thread)(__u32 sig) =
	(void *)BPF_FUNC_send_signal_thread;
static long (*bpf_loop)(__u32 nr_loops, void *callback_fn, void *callback_ctx,
			__u64 flags) =
	(void *)BPF_FUNC_loop;

#endif /* __bpf__ */
#endif /* BPF_HELPERS_H */
