// SPDX-License-Identifier: GPL-2.0
/*
 * ebph_kern.c - the BPF side of ebph: pH's lookahead pairs (and whole
 * sequences), in the kernel.
 *
 * Six programs.  Each one's section says where it attaches; its name is
 * short enough for the kernel to keep whole (15 characters: what
 * `bpftool prog show` prints), and is how user space finds it:
 *
 *   ebph_sys_enter  raw_tracepoint/sys_enter: every system call, the
 *                   algorithm below
 *   ebph_exec       tracepoint/sched/sched_process_exec: a task changes
 *                   profile
 *   ebph_fork       tracepoint/sched/sched_process_fork: a child inherits
 *                   the window (and those its signal frames saved)
 *   ebph_exit       tracepoint/sched/sched_process_exit: a task's state is
 *                   dropped
 *   ebph_io_uring   tracepoint/io_uring/io_uring_submit_req: requests no
 *                   system call carries, counted and reported
 *   ebph_signal     tracepoint/signal/signal_deliver: a signal handler's
 *                   calls get a window of their own (EBPH_FRAMES)
 *
 * The algorithm (docs/DESIGN.md, The algorithm), in the order
 * ebph_sys_enter runs it on each call; the step comments below use these
 * numbers:
 *
 *   1. the task and its profile: task_get() (pick_up() a thread not yet
 *      traced), profile_get() (made again if a command deleted it)
 *   2. the window: window_push() shifts the call in
 *   3. learn: pairs_learn() and, for the sequence detector,
 *      seq_learn_call(); then train_new() (something learned: the
 *      profile thaws) or train_freeze() (stable: it freezes); frozen for
 *      normal_wait, start_normal()
 *   4. test: a normal profile's pairs_test() and seq_test(); then, for
 *      every call, lf_record() puts the verdict in the locality frame;
 *      an anomaly, anomaly_report() (over the anomaly limit,
 *      stop_normal())
 *   5. tolerize: with the frame's count over its limit, tolerize()
 *      (reset_train())
 *
 * and last, the walks over rows that a state change asked for:
 * finish_work(); and for a task in a signal handler, frame_return():
 * at the handler's sigreturn the window it interrupted comes back.
 * Steps 2 to 5 are ebph_syscall().  Everything user space
 * needs to know about the maps is in ebph.h; user space finds the maps
 * by name.
 *
 * There is no global or static data (the loader has no .data, .rodata or
 * .bss): settings come from the "config" map, new rows are copied from the
 * "zero_row" map, and events carry codes instead of strings.
 *
 * Concurrency.  Tasks that share a profile update it from several CPUs
 * with plain loads and stores, no lock and no atomic OR: what can be
 * lost is small and heals itself (docs/DESIGN.md, The algorithm,
 * "Between CPUs").
 */
#include <linux/types.h>
#include <linux/bpf.h>

#include "bpf_helpers.h"
#include "ebph.h"

/* ---- maps: user space finds them by these names ------------------------ */

struct bpf_map_def SEC("maps") config = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(struct ebph_config),
	.max_entries = 1,
};

struct bpf_map_def SEC("maps") stats = {
	.type = BPF_MAP_TYPE_PERCPU_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = EBPH_STAT_MAX,
};

/*
 * Not preallocated, because user space replaces profiles (commands,
 * loading): a preallocated hash map recycles a replaced element at once,
 * while a program on another CPU may still write through its pointer to
 * it, into what is now another profile.  Allocated elements are freed
 * only after an RCU grace period, so such a late write lands in the old
 * copy and is merely lost.
 */
struct bpf_map_def SEC("maps") profiles = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(__u64),
	.value_size = sizeof(struct ebph_profile),
	.max_entries = EBPH_MAX_PROFILES,
	.map_flags = BPF_F_NO_PREALLOC,
};

/* Written once by the kernel when it creates the profile, then replaced
 * by user space with the resolved path: see struct ebph_path. */
struct bpf_map_def SEC("maps") paths = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(__u64),
	.value_size = sizeof(struct ebph_path),
	.max_entries = EBPH_MAX_PROFILES,
	.map_flags = BPF_F_NO_PREALLOC,
};

/* Allocated on use too: preallocated, the map would hold 8 MB for its
 * 65,536 tasks from the start and take 5 ms of `ebph run`'s start-up to
 * build them, for a machine that runs a few hundred.  A lookup costs the
 * same either way. */
struct bpf_map_def SEC("maps") tasks = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(__u32),
	.value_size = sizeof(struct ebph_task),
	.max_entries = EBPH_MAX_TASKS,
	.map_flags = BPF_F_NO_PREALLOC,
};

/* The delays in progress (EBPH_DELAYS), by thread group id: written by
 * sys_enter when it stops a process, deleted by `ebph run` when it
 * resumes it.  Preallocated: an insert on the path of an anomalous
 * process's call never allocates. */
struct bpf_map_def SEC("maps") delays = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(__u32),
	.value_size = sizeof(struct ebph_delay),
	.max_entries = EBPH_MAX_DELAYS,
};

/*
 * Threads found untraceable (tasks map full, executable unreadable), by
 * tid: the time (bpf_ktime_get_boot_ns) of the last attempt to trace them.
 * A thread left out would otherwise retry pick_up() on every one of its
 * calls and be counted and reported at each: 463,225 lines in 43 s for
 * 4,500 threads over capacity.  With this map each is counted once and
 * reported once, and retried at most once per EBPH_UNTRACED_RETRY_NS.
 * LRU, so that it can never be full: a thread evicted by a storm bigger
 * than the map is merely counted again.  Emptied by sched_process_exit.
 */
struct bpf_map_def SEC("maps") untraced = {
	.type = BPF_MAP_TYPE_LRU_HASH,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = EBPH_MAX_UNTRACED,
};

/* Lookahead-pair rows, allocated on first use: a profile pays only for
 * the calls it makes. */
struct bpf_map_def SEC("maps") rows = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(struct ebph_row_key),
	.value_size = EBPH_NUM_SYSCALLS,
	.max_entries = EBPH_MAX_ROWS,
	.map_flags = BPF_F_NO_PREALLOC,
};

/* The sequence detector's sequences (EBPH_DET_SEQS), allocated on
 * first use; see struct ebph_seq for how one element serves both sets. */
struct bpf_map_def SEC("maps") seqs = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(struct ebph_seq_key),
	.value_size = sizeof(struct ebph_seq),
	.max_entries = EBPH_MAX_SEQS,
	.map_flags = BPF_F_NO_PREALLOC,
};

/* Profiles per owner (struct ebph_owner_key): read and added to only
 * when a profile is created, never on the common path.  Three counters
 * an owner, and the sums under EBPH_OWNER_ALL. */
struct bpf_map_def SEC("maps") owners = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(struct ebph_owner_key),
	.value_size = sizeof(__u64),
	.max_entries = EBPH_OWNER_KEYS,
	.map_flags = BPF_F_NO_PREALLOC,
};

/* The source of every new row: a 512-byte row does not fit on the
 * 512-byte BPF stack, and there is no .rodata to hold zeros.  Never
 * written; read-only to programs so that a bug cannot make it nonzero. */
struct bpf_map_def SEC("maps") zero_row = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = EBPH_NUM_SYSCALLS,
	.max_entries = 1,
	.map_flags = BPF_F_RDONLY_PROG,
};

/*
 * Per-CPU scratch of sys_enter: the boot time read in this CPU's
 * current jiffy (see normal_time_passed()), and the work one call hands
 * to finish_work() (see there).  Only the programs use it; nothing in it
 * is for user space.
 */
struct scratch {
	__u64 jiffies;		/* the tick boot_ns was read in */
	__u64 boot_ns;
	__u32 work;		/* WORK_COPY | WORK_RESET */
	__u32 pad;
};

struct bpf_map_def SEC("maps") scratch = {
	.type = BPF_MAP_TYPE_PERCPU_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(struct scratch),
	.max_entries = 1,
};

/* A refused exec's record (ebph_bprm_check()), built here: the file
 * name makes it too big for the stack. */
struct bpf_map_def SEC("maps") refusal = {
	.type = BPF_MAP_TYPE_PERCPU_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(struct ebph_refusal),
	.max_entries = 1,
};

/* One perf ring per CPU; max_entries 0 is set by the loader to the
 * number of possible CPUs. */
struct bpf_map_def SEC("maps") events = {
	.type = BPF_MAP_TYPE_PERF_EVENT_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u32),
	.max_entries = 0,
};

/* ---- tracepoint contexts ------------------------------------------------ */

/*
 * The records of the sched tracepoints, as their format files describe
 * them on Linux 6.18 (/sys/kernel/tracing/events/sched/NAME/format).
 * Every record starts with the common fields:
 *
 *	field:unsigned short common_type;	offset:0;	size:2;
 *	field:unsigned char common_flags;	offset:2;	size:1;
 *	field:unsigned char common_preempt_count;	offset:3;	size:1;
 *	field:int common_pid;	offset:4;	size:4;
 *
 * A __data_loc field is a u32: the low 16 bits are the offset of the data
 * from the start of the record, the high 16 bits its length.
 */
struct trace_common {
	__u16 common_type;
	__u8 common_flags;
	__u8 common_preempt_count;
	__s32 common_pid;
};

/* sched_process_exec:
 *	field:__data_loc char[] filename;	offset:8;	size:4;
 *	field:pid_t pid;	offset:12;	size:4;
 *	field:pid_t old_pid;	offset:16;	size:4;
 */
struct sched_process_exec_args {
	struct trace_common common;
	__u32 filename_loc;
	__s32 pid;
	__s32 old_pid;
};

/* sched_process_fork (the comms are __data_loc since Linux 6.x):
 *	field:__data_loc char[] parent_comm;	offset:8;	size:4;
 *	field:pid_t parent_pid;	offset:12;	size:4;
 *	field:__data_loc char[] child_comm;	offset:16;	size:4;
 *	field:pid_t child_pid;	offset:20;	size:4;
 */
struct sched_process_fork_args {
	struct trace_common common;
	__u32 parent_comm_loc;
	__s32 parent_pid;
	__u32 child_comm_loc;
	__s32 child_pid;
};

/* sched_process_exit:
 *	field:char comm[16];	offset:8;	size:16;
 *	field:pid_t pid;	offset:24;	size:4;
 *	field:int prio;	offset:28;	size:4;
 *	field:bool group_dead;	offset:32;	size:1;
 */
struct sched_process_exit_args {
	struct trace_common common;
	char comm[16];
	__s32 pid;
	__s32 prio;
	__u8 group_dead;
};

/* signal_deliver (signal/signal_deliver, get_signal(): the signal is
 * about to be handled, by current):
 *	field:int sig;	offset:8;	size:4;
 *	field:int errno;	offset:12;	size:4;
 *	field:int code;	offset:16;	size:4;
 *	field:unsigned long sa_handler;	offset:24;	size:8;
 *	field:unsigned long sa_flags;	offset:32;	size:8;
 */
struct signal_deliver_args {
	struct trace_common common;
	__s32 sig;
	__s32 err;
	__s32 code;
	__u32 pad;
	__u64 sa_handler;
	__u64 sa_flags;
};

/* ---- small helpers -------------------------------------------------------- */

/*
 * Step 3's test, now > normal_time, for a frozen profile: every call of
 * a stable program asks it, for the week it waits.  Reading the boot
 * clock costs about as much as a hash lookup; jiffies is a plain load.
 * So each CPU keeps the boot time it read in the current jiffy, and
 * while that reading is more than NOW_SLACK_NS short of normal_time the
 * answer is no without a clock read: jiffies moves every tick (1/HZ,
 * 1 to 10 ms), so in the same jiffy less than NOW_SLACK_NS can have
 * passed since the reading.  Within NOW_SLACK_NS of normal_time, and for
 * a short --normal-wait, the clock is read on every call, as before: the
 * answer is the one a clock read gives.  (The one exception: right after
 * a resume from suspend, until the first tick, a deadline that passed
 * during the suspend is seen up to that tick late.)
 */
#define NOW_SLACK_NS	1000000000ULL

static __always_inline int normal_time_passed(__u64 normal_time)
{
	__u32 zero = 0;
	struct scratch *c = bpf_map_lookup_elem(&scratch, &zero);
	__u64 j = bpf_jiffies64();

	if (c) {
		if (c->jiffies != j) {
			c->boot_ns = bpf_ktime_get_boot_ns();
			c->jiffies = j;
		}
		if (c->boot_ns + NOW_SLACK_NS < normal_time)
			return 0;
	}
	return bpf_ktime_get_boot_ns() > normal_time;
}

/*
 * Whether detector D (EBPH_DET_*) is on.  Read from the config map at
 * every test, on purpose: the verifier then sees an unknown value each
 * time, rather than one it could follow through the rest of the program
 * for each combination of detectors.
 */
static __always_inline __u32 detector_on(struct ebph_config *cfg, __u32 d)
{
	return *(volatile __u32 *)&cfg->detectors & d;
}

/*
 * EBPH_I386 if the current system call is an i386 one, else 0.  The
 * number alone cannot tell: int $0x80 from a 64-bit program gives
 * sys_enter the i386 number (11 is execve there, munmap in x86_64).
 * The kernel marks such a call in current->thread_info.status
 * (TS_COMPAT, set on every 32-bit entry and cleared on the way back to
 * user space); a 32-bit program's calls are all marked.  The typed
 * pointer makes that one load, checked by the verifier against the
 * kernel's BTF, where bpf_get_current_task() and a probe read cost 7 ns
 * a call (make bench); its offset is a constant (EBPH_OFF_TI_STATUS).
 */
#define TS_COMPAT	0x0002	/* arch/x86/include/asm/thread_info.h */

static __always_inline __u32 i386_base(void)
{
	const char *task = bpf_get_current_task_btf();

	return *(const __u32 *)(task + EBPH_OFF_TI_STATUS) & TS_COMPAT ?
	       EBPH_I386 : 0;
}

/* Counters are per-CPU, so a plain increment is exact. */
static __always_inline void stat_add(__u32 idx, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &idx);

	if (v)
		*v += n;
}

static __always_inline void stat_inc(__u32 idx)
{
	stat_add(idx, 1);
}

/*
 * Where EV comes from, for a log reader: the parent, the real uid, the
 * login uid and the cgroup of the current task, as they are at the
 * event: the process may be gone when user space reads it.  A function of its own, not inlined:
 * every event pays a call, and the dozen places that send one carry two
 * instructions instead of this body each; no system call without an
 * event runs any of it.  real_parent is a plain pointer read with the
 * offsets user space found in BTF, as exe_ident() reads its fields: a
 * typed load would need the offset built in (i386_base()), and
 * real_parent's moves with the kernel's configuration.  A read that
 * fails leaves ppid 0, which no process's parent is.
 */
static __attribute__((noinline)) void ev_origin(struct ebph_event *ev)
{
	char *task = (char *)bpf_get_current_task(), *parent = 0;
	struct ebph_config *cfg;
	__u32 zero = 0;

	ev->uid = (__u32)bpf_get_current_uid_gid();
	ev->cgroup = bpf_get_current_cgroup_id();
	ev->loginuid = 0xffffffff;
	cfg = bpf_map_lookup_elem(&config, &zero);
	if (cfg && cfg->off_task_loginuid &&
	    bpf_probe_read_kernel(&ev->loginuid, sizeof(ev->loginuid),
				  task + cfg->off_task_loginuid))
		ev->loginuid = 0xffffffff;
	if (!cfg || !cfg->off_task_real_parent ||
	    bpf_probe_read_kernel(&parent, sizeof(parent),
				  task + cfg->off_task_real_parent) || !parent ||
	    bpf_probe_read_kernel(&ev->ppid, sizeof(ev->ppid),
				  parent + cfg->off_task_tgid))
		ev->ppid = 0;
}

static __always_inline void ev_init(struct ebph_event *ev, __u32 type,
				    __u64 profile)
{
	__u64 id = bpf_get_current_pid_tgid();

	__builtin_memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->pid = id >> 32;
	ev->tid = (__u32)id;
	ev->ts = bpf_ktime_get_boot_ns();
	ev->profile = profile;
	bpf_get_current_comm(ev->comm, sizeof(ev->comm));
	ev_origin(ev);
}

/* An event about system call CALL of TASK: its pid, and the window
 * (seq[0] is CALL). */
static __always_inline void ev_init_call(struct ebph_event *ev, __u32 type,
					 struct ebph_task *task, __u32 call)
{
	int i;

	ev_init(ev, type, task->profile);
	ev->pid = task->pid;
	ev->call = call;
#pragma unroll
	for (i = 0; i < EBPH_SEQLEN; i++)
		ev->seq[i] = task->seq[i];
}

/* A lost event is counted, never silent: user space shows the count. */
static __always_inline void ev_send(void *ctx, struct ebph_event *ev)
{
	if (bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, ev,
				  sizeof(*ev)))
		stat_inc(EBPH_STAT_EVENT_DROPS);
}

static __always_inline void send_event(void *ctx, __u32 type, __u64 profile)
{
	struct ebph_event ev;

	ev_init(&ev, type, profile);
	ev_send(ctx, &ev);
}

static __always_inline void send_message(void *ctx, __u16 level, __u16 code,
					 __u64 profile, __u64 arg)
{
	struct ebph_event ev;

	ev_init(&ev, EBPH_EV_MESSAGE, profile);
	ev.level = level;
	ev.code = code;
	ev.arg = arg;
	ev_send(ctx, &ev);
}

/* A map that could not take an element: count it and say which. */
static __always_inline void report_full(void *ctx, __u32 stat, __u16 code,
					__u64 profile, __u64 arg)
{
	stat_inc(stat);
	send_message(ctx, EBPH_ERROR, code, profile, arg);
}

/*
 * Thread TID could not be traced (STAT, message CODE): remember when.
 * Counted and reported only the first time; a later failure of the same
 * thread (its retry, or the exec of a thread never traced) only moves
 * the time of its next retry.
 */
static __always_inline void untraced_add(void *ctx, __u32 tid, __u32 stat,
					 __u16 code, __u64 profile, __u64 arg)
{
	__u64 now = bpf_ktime_get_boot_ns();
	__u64 *last = bpf_map_lookup_elem(&untraced, &tid);

	if (last) {
		*last = now;
		return;
	}
	bpf_map_update_elem(&untraced, &tid, &now, BPF_ANY);
	stat_inc(stat);
	send_message(ctx, EBPH_ERROR, code, profile, arg);
}

/* ---- the executable's key ------------------------------------------------- */

/*
 * The profile key of the current task's executable,
 * (st_dev << 32) + st_ino as stat(2) would report them, and the owner
 * a new profile of it gets (the task's real uid, or for root's tasks the
 * inode's i_uid, a kuid_t: uids as the initial user namespace sees
 * them, where ebph runs), read from
 * current->mm->exe_file->f_inode with the offsets user space found in
 * BTF.  Returns 0, or 1 + the enum ebph_key_step that failed.
 *
 * The kernel's dev_t is (major << 20 | minor); stat(2) reports
 * new_encode_dev() of it, which keeps the low 8 bits of the minor at the
 * bottom, the major above them, and the rest of the minor above that.
 */
static __always_inline int exe_ident(struct ebph_config *cfg, __u64 *key,
				     __u32 *owner, __u32 *nlink)
{
	char *task = (char *)bpf_get_current_task();
	char *mm = 0, *file = 0, *inode = 0, *sb = 0;
	__u64 ino = 0;		/* unsigned long i_ino: 64 bits on x86_64 */
	__u32 dev = 0, major, minor;

	/* task_struct.mm is never at offset 0: zero means "not set". */
	if (!cfg->off_task_mm)
		return EBPH_KEY_NO_OFFSETS + 1;
	if (bpf_probe_read_kernel(&mm, sizeof(mm), task + cfg->off_task_mm) ||
	    !mm)
		return EBPH_KEY_TASK_MM + 1;
	if (bpf_probe_read_kernel(&file, sizeof(file),
				  mm + cfg->off_mm_exe_file) || !file)
		return EBPH_KEY_MM_EXE_FILE + 1;
	if (bpf_probe_read_kernel(&inode, sizeof(inode),
				  file + cfg->off_file_inode) || !inode)
		return EBPH_KEY_FILE_INODE + 1;
	if (bpf_probe_read_kernel(&ino, sizeof(ino), inode + cfg->off_inode_ino))
		return EBPH_KEY_INODE_INO + 1;
	if (bpf_probe_read_kernel(&sb, sizeof(sb), inode + cfg->off_inode_sb) ||
	    !sb)
		return EBPH_KEY_INODE_SB + 1;
	if (bpf_probe_read_kernel(&dev, sizeof(dev), sb + cfg->off_sb_dev))
		return EBPH_KEY_SB_DEV + 1;
	if (bpf_probe_read_kernel(owner, sizeof(*owner),
				  inode + cfg->off_inode_uid))
		return EBPH_KEY_INODE_UID + 1;
	/* Charged to the user who runs it, unless that is root (the owners
	 * map in ebph.h says why): the low half is the real uid, as the
	 * initial user namespace sees it. */
	if ((__u32)bpf_get_current_uid_gid())
		*owner = (__u32)bpf_get_current_uid_gid();
	/* Only the exec program asks (NLINK is a constant NULL elsewhere);
	 * a failed read leaves it nonzero: named, as far as we know. */
	if (nlink && bpf_probe_read_kernel(nlink, sizeof(*nlink),
					   inode + cfg->off_inode_nlink))
		*nlink = 1;

	major = dev >> 20;
	minor = dev & 0xfffff;
	dev = (minor & 0xff) | (major << 8) | ((minor & ~0xffU) << 12);
	*key = ebph_profile_key(dev, ino);
	return 0;
}

/* The key alone, for the callers that need no owner. */
static __always_inline int exe_key(struct ebph_config *cfg, __u64 *key)
{
	__u32 owner;

	return exe_ident(cfg, key, &owner, 0);
}

/* ---- profiles and tasks -------------------------------------------------- */

/* Owner counter KEY, made (zero) on first use; NULL: the owners map
 * is full. */
static __always_inline __u64 *owner_counter(struct ebph_owner_key *key)
{
	__u64 zero = 0, *v;

	v = bpf_map_lookup_elem(&owners, key);
	if (v)
		return v;
	/* EEXIST (another CPU made it first) is fine: look it up. */
	bpf_map_update_elem(&owners, key, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&owners, key);
}

/* Profiles UID has now (MADE - FREED), and its MADE counter in *MADEP
 * (NULL: the owners map is full). */
static __always_inline __s64 owner_profiles(__u32 uid, __u64 **madep)
{
	struct ebph_owner_key k = { .uid = uid, .kind = EBPH_OWNER_MADE };
	__u64 *made = owner_counter(&k), *freed;

	*madep = made;
	k.kind = EBPH_OWNER_FREED;
	freed = bpf_map_lookup_elem(&owners, &k);
	return (__s64)((made ? *made : 0) - (freed ? *freed : 0));
}

/*
 * Whether OWNER may have one more profile: root always; anyone else
 * while under cfg->owner_quota and all users together under
 * cfg->users_max.  On yes, *MADE and *ALL are the counters to add the
 * new profile to.  A refusal is counted in EBPH_STAT_OWNER_QUOTA and,
 * for an exec (EXEC), in the owner's REFUSED, which user space reports
 * once an interval: no event per exec, which a flood would turn into a
 * flood of events.  (A task refused at exec tries again once a second
 * at its calls, as for a profile deleted under it: see profile_get(); those
 * tries are not execs.)
 * The check and the add are not one atomic step, so CPUs creating at
 * the same moment can take an owner past its quota by one each: a
 * bound, not a leak.
 */
static __always_inline int owner_allows(struct ebph_config *cfg, __u32 owner,
					__u64 **made, __u64 **all, int exec)
{
	struct ebph_owner_key k = { .uid = owner, .kind = EBPH_OWNER_REFUSED };
	__u64 *refused;

	*made = *all = 0;
	if (owner == EBPH_OWNER_ROOT)
		return 1;
	/* An owner past the owners map's EBPH_MAX_OWNERS has no counter of
	 * its own: the share of all users is its only limit, rather than a
	 * refusal for ever that nothing could count. */
	if ((owner_profiles(owner, made) < (__s64)cfg->owner_quota || !*made) &&
	    owner_profiles(EBPH_OWNER_ALL, all) < (__s64)cfg->users_max && *all)
		return 1;
	stat_inc(EBPH_STAT_OWNER_QUOTA);
	if (!exec)
		return 0;
	refused = owner_counter(&k);
	if (refused)
		__sync_fetch_and_add(refused, 1);
	return 0;
}

/*
 * Create an empty training profile KEY, owned by OWNER, unless it
 * exists, for an exec (EXEC) or not.  Returns 1 if this call created
 * it, 0 if it was there, -1 if the map is full (reported) or the owner
 * is over quota (counted: owner_allows()).  The profile goes in before
 * its path, so that a full profiles map leaves no orphan path behind.
 */
static __always_inline int profile_create(void *ctx, struct ebph_config *cfg,
					  __u64 key, __u32 owner, int exec)
{
	struct ebph_profile p = { .key = key, .owner = owner };
	__u64 *made, *all;
	long err;

	if (bpf_map_lookup_elem(&profiles, &key))
		return 0;
	if (!owner_allows(cfg, owner, &made, &all, exec))
		return -1;
	err = bpf_map_update_elem(&profiles, &key, &p, BPF_NOEXIST);
	if (err == -17 /* EEXIST: created meanwhile, on another CPU */)
		return 0;
	if (err) {
		report_full(ctx, EBPH_STAT_PROFILES_FULL,
			    EBPH_MSG_PROFILES_FULL, key, 0);
		return -1;
	}
	if (made)
		__sync_fetch_and_add(made, 1);
	if (all)
		__sync_fetch_and_add(all, 1);
	return 1;
}

/*
 * The path entry of a profile just created, for the caller to fill in,
 * or NULL if there is one already (user space's resolved path, e.g. of a
 * profile deleted by a command: it is never overwritten).  The entry is
 * made from zero_row and filled in place because a 256-byte path does
 * not fit on the stack beside everything else sys_enter holds; user
 * space reads paths only after the NEW_PROFILE event that follows.
 */
static __always_inline struct ebph_path *path_create(__u64 key)
{
	__u32 zero = 0;
	void *zeros = bpf_map_lookup_elem(&zero_row, &zero);

	if (!zeros || bpf_map_update_elem(&paths, &key, zeros, BPF_NOEXIST))
		return 0;
	return bpf_map_lookup_elem(&paths, &key);
}

/*
 * Whether user space would act on an exec of profile KEY: its path is
 * still the kernel's (a relative filename, a comm), and print_assoc()
 * resolves it.  Otherwise an exec's EBPH_EV_ASSOC is a debug line that
 * only `ebph run -v` prints (cfg->assoc_events), and sending it cost
 * most of what ebph added to a fork+exec: the record, and a wakeup of
 * the reader for it (make bench, fork+exec: pairs train added 87 us,
 * 15 us without it; docs/performance.md).  One hash lookup instead.
 */
static __always_inline int path_unresolved(__u64 key)
{
	struct ebph_path *path = bpf_map_lookup_elem(&paths, &key);

	return path && path->path[0] != '/';
}

/* A profile for a task whose executable we know only by key: one picked
 * up mid-run, or whose profile a command deleted.  Its first path is the
 * comm; user space resolves the real one. */
static __always_inline int profile_create_comm(void *ctx, __u64 key)
{
	struct ebph_config *cfg;
	struct ebph_path *path;
	__u32 zero = 0, owner = EBPH_OWNER_UNKNOWN;
	__u64 exe = 0;
	int created;

	/* The owner is read here, not passed down, so that profile_get()
	 * and pick_up() stay as they are.  A task whose executable is no
	 * longer the one of KEY (prctl PR_SET_MM_EXE_FILE) has an owner we
	 * cannot know: limited. */
	cfg = bpf_map_lookup_elem(&config, &zero);
	if (!cfg)
		return -1;
	if (exe_ident(cfg, &exe, &owner, 0) || exe != key)
		owner = EBPH_OWNER_UNKNOWN;
	created = profile_create(ctx, cfg, key, owner, 0);
	if (created > 0) {
		path = path_create(key);
		if (path)
			bpf_get_current_comm(path->path, EBPH_COMM_LEN);
		send_event(ctx, EBPH_EV_NEW_PROFILE, key);
	}
	return created;
}

static __always_inline void task_init(struct ebph_task *t, __u64 profile,
				      __u32 pid, __u32 tid)
{
	__builtin_memset(t, 0, sizeof(*t));
	t->profile = profile;
	t->pid = pid;
	t->tid = tid;
#pragma unroll
	for (int i = 0; i < EBPH_SEQLEN; i++)
		t->seq[i] = EBPH_EMPTY;
}

static __always_inline void task_reset_locality(struct ebph_task *t)
{
	t->lf[0] = 0;
	t->lf[1] = 0;
	t->lf_pos = 0;
	t->lfc = 0;
}

/*
 * A thread that was running before ebph started (or whose entry was lost
 * to a full map) is picked up at its next system call.  Its executable
 * comes from the kernel (mm->exe_file), not /proc.  Returns 0 when the
 * task now exists.  A thread that could not be traced is retried at
 * most once per EBPH_UNTRACED_RETRY_NS (see "untraced").
 */
static __always_inline int pick_up(void *ctx, struct ebph_config *cfg,
				   __u64 id)
{
	struct ebph_task t;
	__u32 tid = (__u32)id;
	__u64 key = 0, *last;
	int step;

	last = bpf_map_lookup_elem(&untraced, &tid);
	if (last && bpf_ktime_get_boot_ns() - *last < EBPH_UNTRACED_RETRY_NS)
		return -1;
	step = exe_key(cfg, &key);
	if (step) {
		untraced_add(ctx, tid, EBPH_STAT_KEY_ERRORS, EBPH_MSG_KEY_ERROR,
			     0, step - 1);
		return -1;
	}
	/* The task is made even if its profile cannot be: otherwise the
	 * pick-up would be retried, at full cost, on every call. */
	profile_create_comm(ctx, key);
	task_init(&t, key, id >> 32, tid);
	if (bpf_map_update_elem(&tasks, &tid, &t, BPF_NOEXIST) &&
	    !bpf_map_lookup_elem(&tasks, &tid)) {
		untraced_add(ctx, tid, EBPH_STAT_TASKS_FULL, EBPH_MSG_TASKS_FULL,
			     key, tid);
		return -1;
	}
	if (last)
		bpf_map_delete_elem(&untraced, &tid);
	send_event(ctx, EBPH_EV_ASSOC, key);
	return 0;
}

/* ---- lookahead-pair rows ------------------------------------------------- */

/*
 * A rows key, written as two 64-bit words.  The map hashes and compares
 * the key in 32-bit pieces, and a piece that straddles two narrower
 * stores (call and set are 16 bits each) cannot be forwarded from them
 * by the CPU: the load waits for both stores to reach the cache, some
 * 10 ns on every lookup of a key built field by field.
 */
union row_key {
	struct ebph_row_key key;
	__u64 w[2];
};

static __always_inline void row_key_set(union row_key *k, __u64 profile,
					__u32 call, __u32 set)
{
	k->w[0] = profile;
	/* call, set and pad, little-endian: bytes 8-9, 10-11, 12-15 */
	k->w[1] = call | set << 16;
}

/* The row KEY, created from zero_row on first use.  NULL: the rows map
 * is full (or out of memory); the caller reports it. */
static __always_inline __u8 *row_get(struct ebph_row_key *key)
{
	__u32 zero = 0;
	__u8 *row, *zeros;

	row = bpf_map_lookup_elem(&rows, key);
	if (likely(row))
		return row;
	zeros = bpf_map_lookup_elem(&zero_row, &zero);
	if (!zeros)
		return 0;
	/* EEXIST (another CPU made it first) is fine: look it up. */
	bpf_map_update_elem(&rows, key, zeros, BPF_NOEXIST);
	return bpf_map_lookup_elem(&rows, key);
}

/*
 * The walks over a profile's 512 possible rows (start normal, reset the
 * train set) are bounded loops, not bpf_loop(): bpf_loop's callback must
 * come with BTF func_info, which the loader does not load.  The verifier
 * walks a bounded loop once per iteration, so what is in the loop body
 * is paid 512 times: keep it to the map calls (finish_work() says what
 * the walks cost the verifier).  These walks run only when a profile
 * changes state, never on the common path.
 */

/*
 * Test set := train set: each test row becomes a copy of its train row,
 * or goes away with it.  Returns nonzero if a test row could not be
 * written (rows map full).  The errors are ORed, not counted or reported
 * in the loop: the verifier walks the loop body once per iteration, and
 * walks every branch in it.
 */
static __always_inline long rows_copy_train_to_test(__u64 profile)
{
	struct ebph_row_key key = { .profile = profile };
	long failed = 0;

#pragma clang loop unroll(disable)
	for (__u32 call = 0; call < EBPH_NUM_CALLS; call++) {
		__u8 *train;

		key.call = call;
		key.set = EBPH_TRAIN;
		train = bpf_map_lookup_elem(&rows, &key);
		key.set = EBPH_TEST;
		if (train)
			failed |= bpf_map_update_elem(&rows, &key, train,
						      BPF_ANY);
		else
			bpf_map_delete_elem(&rows, &key);
	}
	return failed;
}

/* Forget the train set of PROFILE. */
static __always_inline void rows_delete_train(__u64 profile)
{
	struct ebph_row_key key = { .profile = profile, .set = EBPH_TRAIN };

#pragma clang loop unroll(disable)
	for (__u32 call = 0; call < EBPH_NUM_CALLS; call++) {
		key.call = call;
		bpf_map_delete_elem(&rows, &key);
	}
}

/* ---- state changes of a profile -------------------------------------------
 *
 * One function a change, kept small: each applies its rule from ebph.h
 * (state changes of a profile), the one the commands (ebph_cmd.c:
 * normalize, sensitize, tolerize), replay and the bench apply from user
 * space, and adds what only the kernel does: the event, and the locality
 * frame of the task that caused it.  TASK may be NULL when no task
 * caused the change.
 *
 * The walks over the rows are not made here but returned as work for
 * finish_work(), which sys_enter runs last, when little else is live: the
 * verifier walks a 512-iteration loop once for every distinct state that
 * reaches it, and in the middle of the algorithm there are many (see
 * finish_work()).
 */

/* Work a state change leaves for finish_work(), in this order. */
#define WORK_COPY	EBPH_WORK_COPY	/* step 3: test set := train set */
#define WORK_RESET	EBPH_WORK_RESET	/* step 5: forget the train set */

/* Step 3: the train set becomes the test set (WORK_COPY for the pairs,
 * three stores for the sequences: see struct ebph_seq).  The counters
 * restart so that the profile can freeze again, and a later freeze
 * copies again.  Only the detectors that run change their sets. */
static __always_inline __u32 start_normal(void *ctx, struct ebph_config *cfg,
					  struct ebph_profile *p,
					  struct ebph_task *task)
{
	/* The event first: it carries only the key, and the rule's
	 * answer then needs no register kept across the helper call. */
	if (task)
		task_reset_locality(task);
	send_event(ctx, EBPH_EV_START_NORMAL, p->key);
	return ebph_start_normal(p, &cfg->detectors);
}

/* Step 4, over the anomaly limit: back to training, train data kept. */
static __always_inline void stop_normal(void *ctx, struct ebph_profile *p)
{
	struct ebph_event ev;

	ebph_stop_normal(p, 0);
	ev_init(&ev, EBPH_EV_STOP_NORMAL, p->key);
	ev.anomalies = p->anomalies;
	ev_send(ctx, &ev);
}

/* Step 5 (and sensitize): forget the train set (WORK_RESET for the
 * pairs, a new epoch for the sequences).  NORMAL and the test set stay:
 * the profile keeps testing while it learns again. */
static __always_inline __u32 reset_train(struct ebph_config *cfg,
					 struct ebph_profile *p)
{
	return ebph_reset_train(p, &cfg->detectors);
}

/*
 * The walks the state changes of one call asked for.  Copy before reset:
 * a call that makes a profile normal and then tolerizes it copies the
 * train set it had, then forgets it, as the steps say.  Nothing between
 * the state change and here reads a row the walks change: step 4 tests
 * a profile that has just become normal against its train row for this
 * call, which is what the copy makes its test row.
 *
 * Why here, in a function of its own, with WORK read back from memory:
 * the verifier walks each 512-iteration loop once for every distinct
 * state that reaches it.  Inlined, the walks are reached by each path
 * that changes state, with its own registers and its own constant WORK;
 * called last, with an unknown WORK, by one.  Measured (Linux 6.18,
 * clang 14; `ebph run -v` prints the figures): sys_enter verifies in
 * 82,977 instructions of the verifier's million, and in 145,655 with
 * finish_work() inlined: measure again after a change.
 */
static __attribute__((noinline)) int finish_work(void *ctx, __u64 profile,
						 __u32 work)
{
	/* arg EBPH_NUM_CALLS: not one call's row, the test set. */
	if ((work & WORK_COPY) && rows_copy_train_to_test(profile))
		report_full(ctx, EBPH_STAT_ROWS_FULL, EBPH_MSG_ROWS_FULL,
			    profile, EBPH_NUM_CALLS);
	if (work & WORK_RESET)
		rows_delete_train(profile);
	return 0;
}

/*
 * NEW_SEQ, one event per pair learned (only with cfg->log_sequences):
 * call = this call, arg = the earlier call of the pair, misses = its
 * distance (1..8), seq = the window.
 */
static __always_inline void log_new_pairs(void *ctx, struct ebph_task *task,
					  __u32 call, __u32 newmask)
{
	struct ebph_event ev;
	__u64 drops = 0;
	int i;

	ev_init_call(&ev, EBPH_EV_NEW_SEQ, task, call);
#pragma unroll
	for (i = 1; i < EBPH_SEQLEN; i++) {
		if (newmask & (1U << (i - 1))) {
			ev.arg = task->seq[i];
			ev.misses = i;
			/* A negative return (a drop) has its sign bit set. */
			drops += (__u64)bpf_perf_event_output(ctx, &events,
					BPF_F_CURRENT_CPU, &ev, sizeof(ev)) >> 63;
		}
	}
	if (drops)
		stat_add(EBPH_STAT_EVENT_DROPS, drops);
}

/* ---- the sequence detector ------------------------------------------------- */

/*
 * Step 3 for the sequence detector: learn PACKED, the task's last
 * EBPH_SEQ_CALLS calls, into P's train set.  Sets *NEW when the sequence
 * was not in the train set (or could not be stored) and returns its
 * element, or NULL when the seqs map is full (reported).
 */
static __always_inline struct ebph_seq *seq_learn(void *ctx,
						  struct ebph_task *task,
						  struct ebph_profile *p,
						  __u64 packed, __u32 *new)
{
	struct ebph_seq_key key = { .profile = task->profile, .seq = packed };
	struct ebph_seq *s, fresh;

	s = bpf_map_lookup_elem(&seqs, &key);
	if (likely(s)) {
		if (likely(s->stamp >= p->seq_train_from))
			return s;
		/* Forgotten by a reset, seen again.  If its stamp is what
		 * puts it in the test set, prev keeps it there. */
		if (ebph_seq_stamp_in_test(p, s->stamp))
			s->prev = s->stamp;
		s->stamp = p->seq_epoch;
		*new = 1;
		return s;
	}
	/* Unknown, or not storable: new either way, as for pair rows. */
	*new = 1;
	fresh.stamp = p->seq_epoch;
	fresh.prev = p->seq_epoch;
	/* EEXIST (another CPU made it first) is fine: look it up. */
	bpf_map_update_elem(&seqs, &key, &fresh, BPF_NOEXIST);
	s = bpf_map_lookup_elem(&seqs, &key);
	if (!s)
		report_full(ctx, EBPH_STAT_SEQS_FULL, EBPH_MSG_SEQS_FULL,
			    task->profile, packed);
	return s;
}

/* NEW_SEQ for a sequence (only with cfg->log_sequences): misses = 0,
 * arg = the packed sequence, seq = the window. */
static __always_inline void log_new_seq(void *ctx, struct ebph_task *task,
					__u32 call, __u64 packed)
{
	struct ebph_event ev;

	ev_init_call(&ev, EBPH_EV_NEW_SEQ, task, call);
	ev.arg = packed;
	ev_send(ctx, &ev);
}

/*
 * What the sequence detector found at one call, for the steps after its
 * lookup: filled in by seq_learn_call() (step 3), read by seq_log_call()
 * and seq_test() (step 4).  Zero and no element when the detector is off.
 */
struct seq_call {
	__u64 packed;		/* the last EBPH_SEQ_CALLS calls */
	struct ebph_seq sv;	/* a copy of its element; stamp ~0U: none */
	__u32 new;		/* not in the train set (or not storable) */
};

/* Step 3 for the sequence detector, when it is on: the last six calls,
 * packed from the window words W that window_push() left, and one
 * lookup, which step 4 reuses. */
static __always_inline void seq_learn_call(void *ctx, struct ebph_config *cfg,
					   struct ebph_task *task,
					   struct ebph_profile *p,
					   const __u64 w[2],
					   struct seq_call *sc)
{
	struct ebph_seq *s;

	sc->packed = 0;
	sc->sv.stamp = ~0U;
	sc->sv.prev = ~0U;
	sc->new = 0;
	if (likely(!detector_on(cfg, EBPH_DET_SEQS)))
		return;
	sc->packed = ebph_seq_pack(w[0], w[1]);
	s = seq_learn(ctx, task, p, sc->packed, &sc->new);
	if (s)
		sc->sv = *s;
}

/* Step 3's NEW_SEQ for the sequence, if it was new and stored. */
static __always_inline void seq_log_call(void *ctx, struct ebph_task *task,
					 __u32 call, const struct seq_call *sc)
{
	if (sc->new && sc->sv.stamp != ~0U)
		log_new_seq(ctx, task, call, sc->packed);
}

/*
 * EBPH_DET_SEQS7: MISS, the verdict on this call's sequence, joined to
 * the one on TASK's previous call, so that a call is anomalous when
 * either of the two sequences of 6 in its last 7 calls is unknown.  No
 * previous verdict (the first call tested since an exec or a change of
 * signal frame) is no miss.
 */
static __always_inline __u32 seq_link(struct ebph_task *task, __u32 miss)
{
	__u32 prev = (task->flags & EBPH_TASK_SEQ_MISS) != 0;

	task->flags = (task->flags & ~EBPH_TASK_SEQ_MISS) |
		      (miss ? EBPH_TASK_SEQ_MISS : 0);
	return miss | prev;
}

/*
 * Step 4 for the sequence detector: 1 if the call's sequence (with
 * EBPH_DET_SEQS7, or the previous call's) is not in P's test set.  A
 * profile that went normal while the detector was off has no test set
 * of sequences: it is not tested on them until its next normalization.
 */
static __always_inline __u32 seq_test(struct ebph_config *cfg,
				      struct ebph_task *task,
				      struct ebph_profile *p,
				      const struct seq_call *sc)
{
	__u32 miss;

	if (likely(!detector_on(cfg, EBPH_DET_SEQS)) ||
	    p->seq_test_to == p->seq_test_from)
		return 0;
	miss = !ebph_seq_in_test(p, &sc->sv);
	if (detector_on(cfg, EBPH_DET_SEQS7))
		miss = seq_link(task, miss);
	return miss;
}

/* ---- the algorithm ---------------------------------------------------------- */

/*
 * The bit of distance I for window slot PREV: 1 << (I - 1) when PREV is a
 * call, 0 when it is EBPH_EMPTY (or anything else >= EBPH_NUM_CALLS),
 * so that an empty slot is no pair and no miss.
 *
 * Arithmetic, not a branch, on purpose: BPF has no conditional move, so
 * a test per slot is 2^8 paths for the verifier to walk, and pairs
 * counted by branches become constants it must tell apart.  PREV >> 10
 * is 0 for a call and 1..63 otherwise; adding 63 and shifting by 6 maps
 * that to 0 or 1.  (Not "& -is_call": the verifier splits a value known
 * to be -1 or 0 into two states at an AND.)
 */
static __always_inline __u32 pair_bit(__u32 prev, int i)
{
	__u32 is_call = (((prev >> 10) + 63) >> 6) ^ 1;

	return is_call << (i - 1);
}

/*
 * Which window slots hold a call, as pair bits: bit i-1 for slot i.  All
 * eight once the window is full, as it is at every call but the first
 * eight after an exec; until then the empty slots (EBPH_EMPTY) trail.
 */
static __always_inline __u32 window_valid(const struct ebph_task *task)
{
	__u32 valid = 0;
	int i;

	if (likely(task->seq[EBPH_SEQLEN - 1] < EBPH_NUM_CALLS))
		return 0xff;
#pragma unroll
	for (i = 1; i < EBPH_SEQLEN; i++)
		valid |= pair_bit(task->seq[i], i);
	return valid;
}

/*
 * The pairs of the window that ROW holds, as pair bits: bit i-1 of
 * row[seq[i] & 511] for each slot i: an i386 call indexes the row by its
 * number, as EBPH_I386 explains.  An empty slot reads row[511] (the mask
 * keeps the index in the row for the verifier); window_valid() is what
 * discards it.
 */
static __always_inline __u32 row_pairs(const __u8 *row,
				       const struct ebph_task *task)
{
	__u32 have = 0;
	int i;

#pragma unroll
	for (i = 1; i < EBPH_SEQLEN; i++)
		have |= row[task->seq[i] & (EBPH_NUM_SYSCALLS - 1)] &
			(1U << (i - 1));
	return have;
}

/* Set bits of an 8-bit mask. */
static __always_inline __u32 popcount8(__u32 m)
{
	m = m - ((m >> 1) & 0x55);
	m = (m & 0x33) + ((m >> 2) & 0x33);
	return (m + (m >> 4)) & 0x0f;
}

/*
 * Step 3 for the lookahead pairs: bit i-1 of train[call][seq[i]] is the
 * pair at distance i, so one row lookup serves all 8 pairs.  Returns the
 * pairs of the window (VALID: the slots that hold a call) that were new,
 * as pair bits, and the train row in *ROWP (NULL: the rows map is full,
 * reported).
 */
static __always_inline __u32 pairs_learn(void *ctx, struct ebph_task *task,
					 __u32 call, __u32 valid, __u8 **rowp)
{
	union row_key rkey;
	__u32 newmask;
	__u8 *row;
	int i;

	row_key_set(&rkey, task->profile, call, EBPH_TRAIN);
	row = row_get(&rkey.key);
	*rowp = row;
	if (unlikely(!row)) {
		/* A pair we could not store is still a pair the profile
		 * has not learned: count it as new, so that a profile that
		 * cannot learn does not freeze and go normal. */
		report_full(ctx, EBPH_STAT_ROWS_FULL, EBPH_MSG_ROWS_FULL,
			    task->profile, call);
		return valid;
	}
	newmask = ~row_pairs(row, task) & valid;
	/* Rarely, store them.  Only bytes that change are written: rows of
	 * a busy profile are shared by many CPUs.  (Each store tests the
	 * byte it changes, not a bit of newmask: a branch on each bit would
	 * make the verifier walk the rest of the program once for each of
	 * the 256 masks.) */
	if (unlikely(newmask)) {
#pragma unroll
		for (i = 1; i < EBPH_SEQLEN; i++) {
			__u8 *pair = &row[task->seq[i] & (EBPH_NUM_SYSCALLS - 1)];
			__u32 new = ~*pair & valid & (1U << (i - 1));

			if (new)
				*pair |= new;
		}
	}
	return newmask;
}

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the window shift below assumes little-endian words"
#endif

/*
 * Step 2: CALL enters TASK's window.  seq[0..7] are two aligned
 * little-endian words, so two shifts move eight slots: each slot goes up
 * 16 bits, the top one into the next word, and seq[8] gets the last.
 * The new words are left in W for the sequence detector, which packs its
 * sequence from them instead of reading the window again.
 */
static __always_inline void window_push(struct ebph_task *task, __u32 call,
					__u64 w[2])
{
	__u64 w0, w1;

	__builtin_memcpy(&w0, &task->seq[0], sizeof(w0));
	__builtin_memcpy(&w1, &task->seq[4], sizeof(w1));
	task->seq[8] = w1 >> 48;
	w1 = w1 << 16 | w0 >> 48;
	w0 = w0 << 16 | call;
	__builtin_memcpy(&task->seq[4], &w1, sizeof(w1));
	__builtin_memcpy(&task->seq[0], &w0, sizeof(w0));
	w[0] = w0;
	w[1] = w1;
}

/* ---- the profile's counters, a flush at a time (EBPH_FLUSH_CALLS) ------ */

/*
 * The calls TASK counted since its last flush go to its profile P: before
 * any change of P's state, so that they count as calls before it, at the
 * call its flush was due, and when the task leaves P (exec, exit).  Atomic
 * adds, since the tasks of P flush from every CPU: a plain add lost to
 * another CPU's would lose a whole flush.
 */
static __always_inline void counts_flush(struct ebph_task *task,
					 struct ebph_profile *p)
{
	__u64 n = task->pending;

	if (n) {
		__sync_fetch_and_add(&p->count, n);
		__sync_fetch_and_add(&p->train_count, n);
		__sync_fetch_and_add(&p->last_mod_count, n);
		task->pending = 0;
	}
}

/* Thread TID leaves its profile (exec, exit): the calls it has not
 * flushed go to the profile first. */
static __always_inline void counts_flush_tid(__u32 tid)
{
	struct ebph_task *t = bpf_map_lookup_elem(&tasks, &tid);
	struct ebph_profile *p;

	if (!t || !t->pending)
		return;
	p = bpf_map_lookup_elem(&profiles, &t->profile);
	if (p)
		counts_flush(t, p);
}

/*
 * After a flush or a change of P: when TASK's next flush is due.  Between
 * two changes, the freeze test of train_freeze(), train x DEN > stable x
 * FACTOR, sees a stable that does not move (train_count - 1 -
 * last_mod_count now: both go up by one a call) and a train_count that
 * goes up by one a call, so the call at which it first passes is known
 * now; the flush is due then, or in EBPH_FLUSH_CALLS calls if sooner.  A
 * frozen profile tests nothing.
 */
static __always_inline void counts_arm(struct ebph_task *task,
				       const struct ebph_profile *p)
{
	__s64 train = p->train_count;
	__s64 stable = train - 1 - (__s64)p->last_mod_count;
	__s64 in = EBPH_FLUSH_CALLS, m;

	if (!(p->status & EBPH_FROZEN) && stable > 0) {
		/* The first call m (1, 2, ...) from now at which
		 * (train + m - 1) x DEN > stable x FACTOR. */
		m = (__s64)((__u64)stable * EBPH_NORMAL_FACTOR /
			    EBPH_NORMAL_FACTOR_DEN) + 2 - train;
		if (m < in)
			in = m < 1 ? 1 : m;
	}
	task->flush_in = in;
}

/*
 * Step 3, a call that taught the profile something (NEWMASK: the pairs
 * new in ROW, the train row; SC: the sequence): its training is not
 * stable, so it does not freeze, and a frozen one thaws.  A change: the
 * calls before it are flushed, and this one is counted in the profile
 * (not in last_mod_count, which the change restarts).  With
 * cfg->log_sequences each pair and sequence learned is an event.
 */
static __always_inline void train_new(void *ctx, struct ebph_config *cfg,
				      struct ebph_task *task,
				      struct ebph_profile *p, __u32 call,
				      __u32 newmask, const __u8 *row,
				      const struct seq_call *sc)
{
	counts_flush(task, p);
	p->last_mod_count = 0;
	p->status &= ~EBPH_FROZEN;
	p->count++;
	p->train_count++;
	counts_arm(task, p);
	if (unlikely(cfg->log_sequences)) {
		if (newmask && row)
			log_new_pairs(ctx, task, call, newmask);
		seq_log_call(ctx, task, call, sc);
	}
}

/*
 * Step 3, the call at which TASK's flush is due (counts_arm()): its calls
 * since the last flush, this one included, taught the profile nothing, so
 * they go to all three counters.  A profile freezes once 3/4 of its
 * training calls came after the last change (train/stable > 128/32), and
 * is to be normal cfg->normal_wait later, at normal_time.
 */
static __always_inline void train_freeze(void *ctx, struct ebph_config *cfg,
					 struct ebph_task *task,
					 struct ebph_profile *p)
{
	struct ebph_event ev;
	__s64 train, stable;

	counts_flush(task, p);
	if (p->status & EBPH_FROZEN)
		goto out;
	/* The rule's train_count is the one before this call.  Signed:
	 * last_mod_count may exceed it (a fresh profile's first, pairless
	 * call). */
	train = p->train_count - 1;
	stable = train - (__s64)p->last_mod_count;
	if (stable > 0 && train * EBPH_NORMAL_FACTOR_DEN >
			  stable * EBPH_NORMAL_FACTOR) {
		p->status |= EBPH_FROZEN;
		p->normal_time = bpf_ktime_get_boot_ns() + cfg->normal_wait;
		ev_init(&ev, EBPH_EV_FROZEN, task->profile);
		ev.arg = p->normal_time;
		ev_send(ctx, &ev);
	}
out:
	counts_arm(task, p);
}

/*
 * Step 4 for the lookahead pairs: how many of the window's pairs (VALID)
 * the test row of CALL lacks; with no test row, every pair is a miss.
 * A profile just made normal (COPIED) is tested against ROW, this call's
 * train row, which is what finish_work() makes its test row.
 */
static __always_inline __u32 pairs_test(const struct ebph_task *task,
					__u32 call, __u32 valid,
					const __u8 *row, __u32 copied)
{
	union row_key rkey;
	const __u8 *test;

	row_key_set(&rkey, task->profile, call, EBPH_TEST);
	test = copied ? row : bpf_map_lookup_elem(&rows, &rkey.key);
	return popcount8(~(test ? row_pairs(test, task) : 0) & valid);
}

/*
 * Step 4, the verdict in the locality frame: slot lf_pos now says whether
 * this call was ANOMALOUS; the LFC follows the bit that leaves the ring
 * and the one that comes in.  Done before the anomaly is reported so
 * that the report carries the LFC including this call.  Usually both
 * bits are 0 and only lf_pos moves.
 */
static __always_inline void lf_record(struct ebph_task *task, __u32 anomalous)
{
	__u32 pos = task->lf_pos % EBPH_LOCALITY_WIN;
	__u64 bit = 1ULL << (pos % 64);
	__u64 *word = &task->lf[pos / 64];
	__u32 was = (*word & bit) != 0;
	__u32 is = anomalous != 0;

	if (unlikely(is | was)) {
		if (is != was)
			*word ^= bit;
		task->lfc = task->lfc + is - was;
		if (task->lfc > task->max_lfc)
			task->max_lfc = task->lfc;
	}
	task->lf_pos = (pos + 1) % EBPH_LOCALITY_WIN;
}

/* May a response (EBPH_RESPONSES) act on process TGID, whose profile
 * is P?  The one rule for all of them. */
static __always_inline int may_respond(const struct ebph_config *cfg,
				       const struct ebph_profile *p, __u32 tgid)
{
	return (p->status & EBPH_NORMAL) && tgid != 1 && tgid != cfg->self_tgid;
}

/*
 * pH's delay (EBPH_DELAYS) for a call of TASK, whose LFC is over 0 and
 * whose profile is P: with delays on (CFG, sys_enter's) and
 * may_respond(), the process is stopped at the call's return to user
 * space (SIGSTOP stops the whole thread group) and `ebph run` told how
 * long to keep it stopped.  A
 * process already in the delays map is on its way to a stop, or in
 * one: it is left alone (BPF_NOEXIST), so a delay is one stop and one
 * resume however many of its threads call meanwhile.  A full map
 * (EBPH_MAX_DELAYS processes stopped at once) delays no more until one
 * is resumed.  Not inlined: sys_enter's common path carries a call to
 * it, behind the LFC test it makes anyway, and nothing of this.
 */
static __attribute__((noinline)) int delay(void *ctx, struct ebph_config *cfg,
					   struct ebph_task *task,
					   struct ebph_profile *p)
{
	struct ebph_delay d;
	struct ebph_event ev;
	__u32 tgid;
	__u64 ns;

	if (!cfg || !cfg->delay_factor || !task)
		return 0;
	tgid = task->pid;
	if (!p || !may_respond(cfg, p, tgid))
		return 0;
	/* 2^LFC x delay_factor, capped: past 2^30 any factor of 1 ns or
	 * more is over the cap, and the shift would overflow. */
	ns = EBPH_DELAY_MAX_NS;
	if (task->lfc < 30 && cfg->delay_factor < EBPH_DELAY_MAX_NS >> task->lfc)
		ns = cfg->delay_factor << task->lfc;
	d.ts = bpf_ktime_get_boot_ns();
	d.ns = ns;
	d.tid = task->tid;
	d.lfc = task->lfc;
	if (bpf_map_update_elem(&delays, &tgid, &d, BPF_NOEXIST))
		return 0;
	if (bpf_send_signal_thread(EBPH_SIGSTOP)) {
		bpf_map_delete_elem(&delays, &tgid);
		return 0;
	}
	stat_inc(EBPH_STAT_DELAYS);
	ev_init_call(&ev, EBPH_EV_DELAY, task, task->seq[0]);
	ev.lfc = task->lfc;
	ev.arg = ns;
	ev_send(ctx, &ev);
	return 0;
}

/* Step 4, an anomaly (MISSES pairs, SEQ_MISS the sequence): counted,
 * reported with the window and the LFC, and over cfg->anomaly_limit the
 * profile stops being normal. */
static __always_inline void anomaly_report(void *ctx, struct ebph_config *cfg,
					   struct ebph_task *task,
					   struct ebph_profile *p, __u32 call,
					   __u32 misses, __u32 seq_miss)
{
	struct ebph_event ev;

	p->anomalies++;
	stat_inc(EBPH_STAT_ANOMALIES);
	ev_init_call(&ev, EBPH_EV_ANOMALY, task, call);
	ev.misses = misses;
	ev.seq_miss = seq_miss;
	ev.lfc = task->lfc;
	ev.anomalies = p->anomalies;
	ev_send(ctx, &ev);
	if (p->anomalies > cfg->anomaly_limit) {
		counts_flush(task, p);
		stop_normal(ctx, p);
		counts_arm(task, p);
	}
}

/*
 * Step 5: too many anomalies close together (the LFC over
 * cfg->tolerize_limit): the profile forgets its train set and says so.
 * The frame goes with the training data: a task whose LFC stayed over
 * the limit would tolerize on every call.  Returns reset_train()'s work.
 */
static __always_inline __u32 tolerize(void *ctx, struct ebph_config *cfg,
				      struct ebph_task *task,
				      struct ebph_profile *p)
{
	struct ebph_event ev;
	__u32 work;

	counts_flush(task, p);
	work = reset_train(cfg, p);
	counts_arm(task, p);
	ev_init(&ev, EBPH_EV_TOLERIZE, task->profile);
	ev.pid = task->pid;
	ev.lfc = task->lfc;
	ev.anomalies = p->anomalies;
	ev_send(ctx, &ev);
	task_reset_locality(task);
	return work;
}

/*
 * One system call CALL of TASK, whose profile is P: steps 2 to 5 (see the
 * top of this file).  Returns the work it leaves for finish_work().
 *
 * Window slots are EBPH_EMPTY until the task has made enough calls since
 * its exec.  An empty slot is not a call: it forms no pair in training
 * and is no miss in testing.  Slot i always means "i calls ago", since
 * the window fills from seq[0] and empty slots only ever trail.
 *
 * Every system call on the machine runs this, so the common case (the
 * pairs known, the profile frozen or normal, the call not anomalous) is
 * kept to loads, masks and a few stores: a pair found is a bit ANDed out
 * of a row byte, a set of pairs a mask, and whatever changes state
 * branches off that.  (Measured, the map lookups are most of the cost;
 * all of this is about 10 ns.)
 */
static __always_inline __u32 ebph_syscall(void *ctx, struct ebph_config *cfg,
					  struct ebph_task *task,
					  struct ebph_profile *p, __u32 call)
{
	__u32 valid = 0, newmask = 0, misses = 0, seq_miss = 0, work = 0;
	struct seq_call sc;
	__u8 *row = 0;
	__u64 w[2];

	/* 2. The window. */
	window_push(task, call, w);
	task->count++;

	/* 3. Learn the window's pairs (one row lookup serves all 8) and its
	 * sequence; then the profile thaws, or, at the call a flush of the
	 * task's counts is due, freezes if stable (EBPH_FLUSH_CALLS: the
	 * profile is not written at the other calls); frozen long enough,
	 * it is normal.  Only a frozen profile asks, and it reads the clock
	 * only near normal_time. */
	if (likely(detector_on(cfg, EBPH_DET_PAIRS))) {
		valid = window_valid(task);
		newmask = pairs_learn(ctx, task, call, valid, &row);
	}
	seq_learn_call(ctx, cfg, task, p, w, &sc);
	if (unlikely(newmask | sc.new))
		train_new(ctx, cfg, task, p, call, newmask, row, &sc);
	else if (unlikely(++task->pending >= task->flush_in))
		train_freeze(ctx, cfg, task, p);
	if ((p->status & EBPH_FROZEN) && normal_time_passed(p->normal_time)) {
		counts_flush(task, p);
		work = start_normal(ctx, cfg, p, task);
		counts_arm(task, p);
	}

	/* 4. Test a normal profile against the copy taken when it became
	 * normal; the locality frame records the verdict, and an anomaly
	 * is reported. */
	if (p->status & EBPH_NORMAL) {
		if (likely(detector_on(cfg, EBPH_DET_PAIRS)))
			misses = pairs_test(task, call, valid, row, work);
		seq_miss = seq_test(cfg, task, p, &sc);
	}
	lf_record(task, misses | seq_miss);
	if (unlikely(misses | seq_miss))
		anomaly_report(ctx, cfg, task, p, call, misses, seq_miss);

	/* 5. Too many anomalies close together: tolerize. */
	if (unlikely(task->lfc > cfg->tolerize_limit))
		work |= tolerize(ctx, cfg, task, p);
	return work;
}

/* ---- signal frames ------------------------------------------------------------
 *
 * A handler's calls in a window of their own (EBPH_FRAMES says why and
 * what the rules are): ebph_signal pushes the task's window at a
 * delivery, sys_enter pops it at the handler's sigreturn.  Neither is on
 * the common path: a task in no handler pays one test of task->frames.
 */

/* Window SRC into DST (EBPH_SEQLEN slots). */
static __always_inline void window_copy(__u16 *dst, const __u16 *src)
{
	__builtin_memcpy(dst, src, EBPH_SEQLEN * sizeof(__u16));
}

/*
 * A signal is delivered to a handler of TASK: its window is saved in the
 * ring and it starts empty, as after an exec.  A full ring loses its
 * oldest window, counted.
 */
static __always_inline void frame_push(struct ebph_task *task)
{
	__u32 slot = task->saved_top % EBPH_FRAMES;
	int i;

	window_copy(task->saved[slot], task->seq);
	task->saved_top = (slot + 1) % EBPH_FRAMES;
	if (task->frames < EBPH_FRAMES)
		task->frames++;
	else
		stat_inc(EBPH_STAT_FRAMES_FULL);
#pragma unroll
	for (i = 0; i < EBPH_SEQLEN; i++)
		task->seq[i] = EBPH_EMPTY;
	task->flags &= ~EBPH_TASK_SEQ_MISS;	/* as after an exec */
}

/*
 * The call of CTX was TASK's, which is in a handler (task->frames > 0):
 * if it returns from the handler, the window the handler interrupted
 * comes back.  Called after the sigreturn was learned and tested in the
 * handler's window, whose last call it is.
 *
 * Not inlined, and the call's symbol read again from CTX: sys_enter
 * then keeps nothing alive to the end for a test that a task in no
 * handler never makes.
 */
static __attribute__((noinline)) int frame_return(struct bpf_raw_tracepoint_args *ctx,
						  struct ebph_task *task)
{
	__u32 slot;

	if (!ebph_is_sigreturn(ctx->args[1] + i386_base()))
		return 0;
	task->frames--;
	slot = (task->saved_top + EBPH_FRAMES - 1) % EBPH_FRAMES;
	window_copy(task->seq, task->saved[slot]);
	task->saved_top = slot;
	/* The verdict kept was on the handler's last call, not on the
	 * interrupted window's. */
	task->flags &= ~EBPH_TASK_SEQ_MISS;
	return 0;
}

/* ---- programs --------------------------------------------------------------- */

/* Step 1: the calling thread's task (ID: its pid_tgid), picked up at its
 * first call if it has none.  NULL: it cannot be traced, for now. */
static __always_inline struct ebph_task *task_get(void *ctx,
						  struct ebph_config *cfg,
						  __u64 id)
{
	__u32 tid = (__u32)id;
	struct ebph_task *task = bpf_map_lookup_elem(&tasks, &tid);

	if (likely(task))
		return task;
	if (pick_up(ctx, cfg, id))
		return 0;
	return bpf_map_lookup_elem(&tasks, &tid);
}

/*
 * Step 1: the profile of TASK (thread TID).  One deleted by a command
 * while tasks still run it, or never made (a full map, its owner over
 * quota), starts again as an empty training profile.  A refused one is
 * tried again at most once per EBPH_UNTRACED_RETRY_NS, not at each call
 * at the full cost of a creation.  NULL: none, for now.
 */
static __always_inline struct ebph_profile *profile_get(void *ctx,
							 struct ebph_task *task,
							 __u32 tid)
{
	struct ebph_profile *p = bpf_map_lookup_elem(&profiles, &task->profile);
	__u64 *last, now;

	if (likely(p))
		return p;
	last = bpf_map_lookup_elem(&untraced, &tid);
	if (last && bpf_ktime_get_boot_ns() - *last < EBPH_UNTRACED_RETRY_NS)
		return 0;
	if (profile_create_comm(ctx, task->profile) < 0) {
		now = bpf_ktime_get_boot_ns();
		bpf_map_update_elem(&untraced, &tid, &now, BPF_ANY);
		return 0;
	}
	if (last)
		bpf_map_delete_elem(&untraced, &tid);
	return bpf_map_lookup_elem(&profiles, &task->profile);
}

/*
 * Every system call on the machine runs this: ctx->args[0] is the pt_regs
 * pointer (unused), ctx->args[1] the call number, which becomes a symbol
 * of its ABI (i386_base(): a helper call and one load).  The common path is
 * the config lookup (an array: the verifier inlines it), three hash
 * lookups (task, profile, train row) and a fourth when the profile is
 * normal (test row); a frozen profile adds normal_time_passed()'s
 * jiffies read.  The sequence detector, when on, adds one lookup (the
 * sequence, which testing reuses); alone, it replaces the row lookups.
 * The hash lookups are most of the cost (make bench).
 */
SEC("raw_tracepoint/sys_enter")
int ebph_sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	struct ebph_config *cfg;
	struct ebph_profile *p;
	struct ebph_task *task;
	__u32 zero = 0, work;
	__u64 nr, id;

	cfg = bpf_map_lookup_elem(&config, &zero);
	if (!cfg || !cfg->monitoring)
		return 0;
	nr = ctx->args[1];
	if (unlikely(nr >= EBPH_NR_LIMIT)) {
		/* Includes -1, the number of a syscall(-1). */
		stat_inc((nr & EBPH_X32_BIT) && nr < (EBPH_X32_BIT | 1024) ?
			 EBPH_STAT_X32 : EBPH_STAT_BIG_CALL);
		return 0;
	}
	nr += i386_base();

	/* 1. The task and its profile. */
	id = bpf_get_current_pid_tgid();
	task = task_get(ctx, cfg, id);
	if (unlikely(!task))
		return 0;
	/* sched_process_fork cannot tell a thread from a process, so a
	 * forked task's pid (tgid) is 0 until its first call: set it here.
	 * A store to a line the window shift dirties anyway. */
	task->pid = id >> 32;
	p = profile_get(ctx, task, (__u32)id);
	if (unlikely(!p))
		return 0;

	/* 2 to 5. */
	work = ebph_syscall(ctx, cfg, task, p, nr);
	if (unlikely(work)) {
		/* Through memory, so that the verifier sees one unknown value
		 * here, not a constant per path (see finish_work()). */
		struct scratch *s = bpf_map_lookup_elem(&scratch, &zero);

		if (s) {
			s->work = work;
			work = *(volatile __u32 *)&s->work;
		}
		finish_work(ctx, task->profile, work);
	}
	/* pH's delay: only a task with anomalies among its last calls
	 * pays more than this test of a byte already loaded (step 5 read
	 * it). */
	if (unlikely(task->lfc))
		delay(ctx, cfg, task, p);
	/* In a handler, a sigreturn (learned in the handler's window)
	 * brings back the window it interrupted.  A task in no handler
	 * pays this one test of a byte on a line it has loaded anyway. */
	if (unlikely(task->frames))
		frame_return(ctx, task);
	return 0;
}

/*
 * execve: the task now runs the new executable's profile (created on
 * first sight), with an empty window and locality frame.  current->mm is
 * already the new one here, so the key comes from its exe_file.
 *
 * The life-cycle programs ignore cfg->monitoring: associations made while
 * monitoring is off must still be right when it is turned back on.
 */
SEC("tracepoint/sched/sched_process_exec")
int ebph_exec(struct sched_process_exec_args *ctx)
{
	struct ebph_config *cfg;
	struct ebph_task t;
	__u32 zero = 0, tid, old_tid, owner = 0, nlink = 1;
	__u64 id, key = 0;
	int step, created = 0;

	cfg = bpf_map_lookup_elem(&config, &zero);
	if (!cfg)
		return 0;
	id = bpf_get_current_pid_tgid();
	tid = (__u32)id;

	/* A non-leader thread that execs takes over the leader's pid:
	 * its old tid is gone. */
	old_tid = ctx->old_pid;
	if (old_tid != (__u32)ctx->pid) {
		counts_flush_tid(old_tid);
		bpf_map_delete_elem(&tasks, &old_tid);
	}
	/* Its calls so far were the old program's. */
	counts_flush_tid(tid);

	step = exe_ident(cfg, &key, &owner, &nlink);
	if (step) {
		/* Its old association is wrong now: drop it, so the task
		 * is picked up (and the key read again) at its next call. */
		bpf_map_delete_elem(&tasks, &tid);
		untraced_add(ctx, tid, EBPH_STAT_KEY_ERRORS, EBPH_MSG_KEY_ERROR,
			     0, step - 1);
		return 0;
	}

	if (profile_create(ctx, cfg, key, owner, 1) > 0) {
		struct ebph_path *path = path_create(key);
		__u32 off = ctx->filename_loc & 0xffff;

		/* The filename as execve got it (maybe relative): user
		 * space resolves it.  A bounded read, though the record is
		 * readable memory, because its offset is not a constant. */
		if (path)
			bpf_probe_read_kernel_str(path->path,
						  sizeof(path->path),
						  (char *)ctx + off);
		created = 1;
	}

	if (created)
		send_event(ctx, EBPH_EV_NEW_PROFILE, key);
	/* A memfd (execveat(fd, "", AT_EMPTY_PATH)) or a deleted file has
	 * no name that another exec could reach: its profile is new every
	 * time.  Fileless execution is itself worth a line. */
	if (unlikely(!nlink)) {
		stat_inc(EBPH_STAT_UNNAMED_EXEC);
		send_event(ctx, EBPH_EV_UNNAMED_EXEC, key);
	}
	task_init(&t, key, id >> 32, tid);
	if (bpf_map_update_elem(&tasks, &tid, &t, BPF_ANY))
		untraced_add(ctx, tid, EBPH_STAT_TASKS_FULL, EBPH_MSG_TASKS_FULL,
			     key, tid);
	else if (cfg->assoc_events || path_unresolved(key))
		send_event(ctx, EBPH_EV_ASSOC, key);
	return 0;
}

/*
 * fork, clone, and new threads: current is the parent.  A traced parent's
 * child runs the same profile and inherits its window (the calls that led
 * to the fork), with a locality frame of its own.  Forked in a signal
 * handler, it inherits the saved windows too (the copy): a new thread
 * as well, which is told from a process only later, and which
 * pthread_create(), not async-signal-safe, should not make there.
 *
 * The record does not say whether the child is a thread, so its thread
 * group id is unknown here: pid is left 0 and sys_enter fills it in at
 * the child's first call.  (The child has not run yet: the tracepoint
 * fires before wake_up_new_task().)
 */
SEC("tracepoint/sched/sched_process_fork")
int ebph_fork(struct sched_process_fork_args *ctx)
{
	struct ebph_task *parent, child;
	__u32 ptid = (__u32)bpf_get_current_pid_tgid();
	__u32 ctid = ctx->child_pid;

	parent = bpf_map_lookup_elem(&tasks, &ptid);
	if (!parent)
		return 0;	/* untraced: the child is picked up later */
	__builtin_memcpy(&child, parent, sizeof(child));
	child.pid = 0;
	child.tid = ctid;
	child.count = 0;
	child.pending = 0;	/* the parent's, which it flushes */
	child.flush_in = 0;
	child.max_lfc = 0;
	task_reset_locality(&child);
	/* BPF_ANY: an entry left under this tid by a missed exit is stale. */
	if (bpf_map_update_elem(&tasks, &ctid, &child, BPF_ANY))
		untraced_add(ctx, ctid, EBPH_STAT_TASKS_FULL,
			     EBPH_MSG_TASKS_FULL, child.profile, ctid);
	return 0;
}

/* io_uring_submit_req (Linux 5.19 on), as its format file describes it:
 *	field:void * ctx;	offset:8;	size:8;
 *	field:void * req;	offset:16;	size:8;
 *	field:unsigned long long user_data;	offset:24;	size:8;
 *	field:u8 opcode;	offset:32;	size:1;
 *	field:unsigned long long flags;	offset:40;	size:8;
 *	field:bool sq_thread;	offset:48;	size:1;
 *	field:__data_loc char[] op_str;	offset:52;	size:4;
 */
struct io_uring_submit_req_args {
	struct trace_common common;
	__u64 ctx;
	__u64 req;
	__u64 user_data;
	__u8 opcode;
	__u8 pad[7];
	__u64 flags;
	__u8 sq_thread;
};

/*
 * An io_uring request: a read, a write, a connect or an open that is no
 * system call, so pH's window never sees it.  ebph cannot judge what it
 * does not see, so it says so: the first request of a task since its
 * exec is an event (fork passes the flag on, so one process tree says
 * it once), and every request is counted.  A request of the kernel's
 * polling thread (IORING_SETUP_SQPOLL) counts for its process's leader.
 * Optional: ebph runs on a kernel without this tracepoint, and says so.
 */
SEC("tracepoint/io_uring/io_uring_submit_req")
int ebph_io_uring(struct io_uring_submit_req_args *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 zero = 0, tid = ctx->sq_thread ? id >> 32 : (__u32)id;
	struct ebph_config *cfg = bpf_map_lookup_elem(&config, &zero);
	struct ebph_task *task;
	struct ebph_event ev;

	if (!cfg || !cfg->monitoring)
		return 0;
	task = bpf_map_lookup_elem(&tasks, &tid);
	if (!task)
		return 0;
	stat_inc(EBPH_STAT_IO_URING);
	if (task->flags & EBPH_TASK_IO_URING)
		return 0;
	task->flags |= EBPH_TASK_IO_URING;
	ev_init(&ev, EBPH_EV_IO_URING, task->profile);
	ev.pid = task->pid;
	ev.call = ctx->opcode;
	ev_send(ctx, &ev);
	return 0;
}

/*
 * A signal is delivered: to a handler (not SIG_DFL 0 or SIG_IGN 1), the
 * task's calls go into a window of their own until the handler returns
 * (frame_push(); sys_enter pops at the sigreturn).  current is the
 * thread that runs the handler: get_signal() fires this on its way back
 * to user space.  Like sys_enter, nothing while monitoring is off, so
 * that pushes and pops stay paired.  Optional: ebph runs on a kernel
 * without this tracepoint, with no signal frames, and says so.
 */
SEC("tracepoint/signal/signal_deliver")
int ebph_signal(struct signal_deliver_args *ctx)
{
	__u32 zero = 0, tid = (__u32)bpf_get_current_pid_tgid();
	struct ebph_config *cfg = bpf_map_lookup_elem(&config, &zero);
	struct ebph_task *task;

	if (!cfg || !cfg->monitoring || !cfg->signal_frames)
		return 0;
	if (ctx->sa_handler <= 1)
		return 0;
	task = bpf_map_lookup_elem(&tasks, &tid);
	if (task)
		frame_push(task);
	return 0;
}

/* A thread exits: its state goes, and so does its untraced entry, whose
 * tid may be reused.  Fires once per thread. */
/*
 * pH's execve refusal (EBPH_RESPONSES): with cfg->enforce on, a task
 * whose LFC has reached cfg->execve_lfc may run no other program; its
 * execve fails with EPERM.  An LSM hook, not sys_enter: the hook runs
 * once per exec, after the kernel opened the file, and its return value
 * is the exec's verdict; sys_enter pays nothing for it.  The task's LFC
 * is the one sys_enter keeps; this program only reads it.
 */
#define EPERM	1	/* <errno.h> is not for BPF */

SEC("lsm/bprm_check_security")
int ebph_bprm_check(__u64 *ctx)
{
	struct ebph_config *cfg;
	struct ebph_profile *p;
	struct ebph_task *task;
	struct ebph_refusal *r;
	__u32 zero = 0, tid;
	__u64 id;
	char *bprm = 0, *file = 0;

	cfg = bpf_map_lookup_elem(&config, &zero);
	if (!cfg || !cfg->enforce)
		return 0;
	id = bpf_get_current_pid_tgid();
	tid = (__u32)id;
	task = bpf_map_lookup_elem(&tasks, &tid);
	if (!task || task->lfc < cfg->execve_lfc)
		return 0;
	p = bpf_map_lookup_elem(&profiles, &task->profile);
	if (!p || !may_respond(cfg, p, id >> 32))
		return 0;

	stat_inc(EBPH_STAT_EXEC_REFUSED);
	/* 368 bytes: too many for the stack beside ev_origin()'s frame. */
	r = bpf_map_lookup_elem(&refusal, &zero);
	if (!r)
		return -EPERM;
	ev_init(&r->ev, EBPH_EV_EXEC_REFUSED, task->profile);
	r->ev.pid = id >> 32;
	r->ev.lfc = task->lfc;
	r->ev.arg = cfg->execve_lfc;
	r->file[0] = 0;
	/* bprm as a plain number, read as the task's fields are
	 * (ev_origin()): the typed pointer ctx[0] is would take no
	 * offset that is not a constant. */
	if (cfg->off_bprm_filename &&
	    !bpf_probe_read_kernel(&bprm, sizeof(bprm), &ctx[0]) &&
	    !bpf_probe_read_kernel(&file, sizeof(file), bprm + cfg->off_bprm_filename) &&
	    file)
		bpf_probe_read_kernel_str(r->file, sizeof(r->file), file);
	if (bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, r, sizeof(*r)))
		stat_inc(EBPH_STAT_EVENT_DROPS);
	return -EPERM;
}

SEC("tracepoint/sched/sched_process_exit")
int ebph_exit(struct sched_process_exit_args *ctx)
{
	__u32 tid = ctx->pid;

	counts_flush_tid(tid);
	bpf_map_delete_elem(&tasks, &tid);
	bpf_map_delete_elem(&untraced, &tid);
	return 0;
}

char _license[] SEC("license") = "GPL";
