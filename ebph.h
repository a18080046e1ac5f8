/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ebph.h - what ebph_kern.c (BPF) and the ebph program share.
 *
 * Both sides compile this file: clang -target bpf for the kernel objects,
 * cc for user space.  It is an ABI between them, so every struct uses
 * fixed-width types, has its padding written out, and carries a
 * _Static_assert on its size: a field added on one side and not the other
 * fails the build instead of corrupting a map.
 */
#ifndef EBPH_H
#define EBPH_H

#include <linux/types.h>

/* ---- the algorithm's constants (docs/DESIGN.md, The algorithm) -------- */

#define EBPH_SEQLEN		9	/* window: the current call and 8 before */
#define EBPH_NUM_SYSCALLS	512	/* calls of one ABI, and a row's width */
#define EBPH_NORMAL_FACTOR	128
#define EBPH_NORMAL_FACTOR_DEN	32	/* freeze: 3/4 of training calls old */
#define EBPH_ANOMALY_LIMIT	30
#define EBPH_TOLERIZE_LIMIT	12
#define EBPH_EXECVE_LFC		4	/* --execve-lfc, measured: see ebph.8 */
#define EBPH_LOCALITY_WIN	128	/* locality frame: the task's last 128 calls */
#define EBPH_SEQ_CALLS		6	/* the sequence detector: the last 6 calls */
#define EBPH_NORMAL_WAIT	(7ULL * 24 * 3600 * 1000000000ULL) /* 1 week, ns */

#define EBPH_EMPTY		0xffff	/* a window slot that holds no call yet */

/*
 * The alphabet: every system call under its own ABI.  An x86_64 call N
 * is the symbol N, an i386 call N (int $0x80 or sysenter, from a 32-bit
 * program or a 64-bit one) the symbol EBPH_I386 + N, so that i386 execve
 * (11) is not x86_64 munmap (11).  Calls numbered EBPH_NUM_SYSCALLS - 1
 * or more in either ABI are not real (both tables end near 470) and are
 * skipped, which leaves 0x3ff free to mark an empty slot of a packed
 * sequence (ebph_seq_pack()).
 *
 * A symbol is exact as the current call of a pair (the row's key) and in
 * a sequence.  As the earlier call of a pair it indexes a row of
 * EBPH_NUM_SYSCALLS bytes by its number alone (symbol & 511): a row for
 * both ABIs would double every profile's memory for calls a 64-bit
 * program almost never makes.  So an i386 call is always judged as
 * itself, a profile of a 32-bit program is exact, and only within a
 * window that mixes the two ABIs can a pair of an x86_64 call after an
 * i386 one look like a pair after the x86_64 call of the same number.
 */
#define EBPH_I386		EBPH_NUM_SYSCALLS
#define EBPH_NUM_CALLS		(2 * EBPH_NUM_SYSCALLS)	/* symbols */
#define EBPH_NR_LIMIT		(EBPH_NUM_SYSCALLS - 1)	/* numbers from here
							 * on are skipped */
#define EBPH_X32_BIT		0x40000000U	/* __X32_SYSCALL_BIT */

/* Whether SYM is a call symbol the kernel program can learn. */
static inline int ebph_is_call(__u32 sym)
{
	return sym < EBPH_NUM_CALLS &&
	       (sym & (EBPH_NUM_SYSCALLS - 1)) != EBPH_NUM_SYSCALLS - 1;
}
/* task_struct.thread_info.status on x86_64 since Linux 5.11: a constant
 * the BPF program loads from (the verifier checks the load against the
 * kernel's BTF), which user space checks against BTF before it loads. */
#define EBPH_OFF_TI_STATUS	16
#define EBPH_PATH_LEN		256	/* executable path, NUL-terminated */
#define EBPH_COMM_LEN		16

/* Map sizes.  Rows are allocated on first use (BPF_F_NO_PREALLOC), so
 * max_entries bounds memory, it does not reserve it. */
#define EBPH_MAX_PROFILES	16384
#ifndef EBPH_MAX_TASKS			/* a test object is built smaller */
#define EBPH_MAX_TASKS		65536
#endif
#define EBPH_MAX_ROWS		262144
#define EBPH_MAX_SEQS		262144	/* its hash buckets (4 MB) are charged
					 * from load, detector on or off */
/* Threads that could not be traced (tasks map full, executable
 * unreadable), remembered so that each is counted and reported once and
 * its pick-up retried at most once per EBPH_UNTRACED_RETRY_NS, not at
 * every call.  An LRU map, so preallocated (1.3 MB): one evicted under a
 * bigger storm is counted again when it next fails. */
#define EBPH_MAX_UNTRACED	16384
#define EBPH_UNTRACED_RETRY_NS	1000000000ULL

/* ---- owners: who may fill the profiles map ------------------------------
 *
 * A profile's owner is who made it: the real uid of the task whose exec
 * (or first call) created it, as the initial user namespace sees it, and
 * for a task of root's, the uid that owns the executable file (the
 * inode's i_uid).  Not the file's owner alone: in a user namespace of
 * his own a user can mount an overlay of root's binaries, or a FUSE file
 * system, and so make files of any owner and any device and inode; the
 * uid his tasks run as he cannot choose.  Root's executables, run by
 * root, are never limited.  Every other owner may have at most cfg->owner_quota
 * profiles, and all of them together at most cfg->users_max, so that
 * one user's flood of tiny binaries leaves room for everyone else's,
 * and root's always finds some.  Defaults: 1024 profiles an owner (a
 * sixteenth of the map: more executables than a developer runs from
 * his own builds in weeks) and 3/4 of the map for all users together.
 */
#define EBPH_OWNER_QUOTA	(EBPH_MAX_PROFILES / 16)
#define EBPH_USERS_MAX		(EBPH_MAX_PROFILES / 4 * 3)
#define EBPH_MAX_OWNERS		1024	/* distinct non-root owners counted */
/* The "owners" map: three counters an owner, and the sums (struct
 * ebph_owner_key below). */
#define EBPH_OWNER_KEYS		(3 * (EBPH_MAX_OWNERS + 1))
#define EBPH_OWNER_ROOT		0
/* No file has uid (u32)-1 (the kernel's INVALID_UID), so that key holds
 * the counts of all non-root owners together. */
#define EBPH_OWNER_ALL		0xffffffffU
/* The owner of a profile saved before owners existed (file format 1 or
 * 2) whose executable could not be found again: limited like a user. */
#define EBPH_OWNER_UNKNOWN	0xfffffffeU

/* A profile that made fewer calls than this and never froze learned
 * almost nothing: if a user (not root) owns it, it is not saved, and
 * `ebph run` may recycle it (delete it) to make room for its owner's
 * new ones.  A static binary
 * that prints one line makes a handful of calls, a dynamic one some 30;
 * anything run for real makes hundreds. */
#define EBPH_RECYCLE_CALLS	64

/* ---- profiles --------------------------------------------------------- */

/* Profile status bits.  FROZEN and NORMAL are independent, as in pH: a
 * normal profile keeps training, may freeze again, and when that freeze
 * has lasted normal_wait its train set is copied to test once more. */
#define EBPH_FROZEN		(1U << 0)
#define EBPH_NORMAL		(1U << 1)

/*
 * Value of the "profiles" map, key: ebph_profile_key() of the
 * executable, st_dev in stat(2)'s encoding.  The lookahead pairs are not
 * in here: they are rows in the "rows" map, allocated per call seen.
 *
 * normal_time is CLOCK_BOOTTIME nanoseconds (bpf_ktime_get_boot_ns), so a
 * week of suspend still counts as a week; on disk it is stored as wall
 * clock time and converted on load.
 */
struct ebph_profile {
	__u64 key;
	__u64 normal_time;	/* frozen: becomes normal after this */
	__u64 train_count;	/* calls trained on since the last reset */
	__u64 last_mod_count;	/* calls since the train set last changed */
	__u64 count;		/* calls seen in all */
	__u32 anomalies;	/* anomalous calls since it became normal */
	__u32 status;		/* EBPH_FROZEN | EBPH_NORMAL */
	/* The sequence detector's sets, as ranges of epochs: see struct
	 * ebph_seq.  They change only while that detector runs. */
	__u32 seq_epoch;	/* sequences learned now get this stamp */
	__u32 seq_train_from;	/* train set: stamp >= seq_train_from */
	__u32 seq_test_from;	/* test set: stamp (or prev) in [from, to); */
	__u32 seq_test_to;	/* from == to: no test set of sequences yet */
	__u32 owner;		/* uid owning the executable (see owners) */
	__u32 pad;
};
_Static_assert(sizeof(struct ebph_profile) == 72, "ebph_profile ABI");

/*
 * count, train_count and last_mod_count go up by one at each call of
 * each task of the profile.  Written at every call, the profile's cache
 * line would move to each CPU that runs one of its threads, at every
 * call: 56 ns a call for a profile shared by this machine's 2 CPUs, and
 * a queue on one line at 64 (docs/performance.md, Many cores).  So a
 * task counts its calls in task->pending and adds them to the profile
 * (a flush) every EBPH_FLUSH_CALLS calls, before any change of the
 * profile's state, at exec and at exit; user space adds the pending
 * calls of live tasks when it reads profiles (ebph_snapshot_read_profiles()).
 *
 * pH's decisions stay the same: between two changes all three counters
 * go up together, so the freeze test (train_freeze() in ebph_kern.c)
 * compares train_count with a threshold fixed at the last change, and a
 * task can tell how many calls it has to go (task->flush_in): it flushes
 * and tests at that very call.  A profile of one task freezes at the call
 * it did when every call wrote the profile; with several tasks, the
 * calls of the others reach it up to EBPH_FLUSH_CALLS calls a task late.
 */
#define EBPH_FLUSH_CALLS	64

/* N calls a task had not flushed, added to P as the kernel's
 * counts_flush() adds them: what user space does for live tasks. */
static inline void ebph_counts_add(struct ebph_profile *p, __u64 n)
{
	p->count += n;
	p->train_count += n;
	p->last_mod_count += n;
}

/* The profile key of the executable with device DEV (in stat(2)'s
 * encoding) and inode INO: the one formula, for the kernel's exe_ident()
 * and for user space's stat(2) of a path. */
static inline __u64 ebph_profile_key(__u64 dev, __u64 ino)
{
	return (dev << 32) + ino;
}

/* Whether P learned almost nothing: see EBPH_RECYCLE_CALLS. */
static inline int ebph_profile_trivial(const struct ebph_profile *p)
{
	return p->count < EBPH_RECYCLE_CALLS &&
	       !(p->status & (EBPH_FROZEN | EBPH_NORMAL));
}

/*
 * Key of the "owners" map; the value is a __u64 count.  How many
 * profiles owner UID has is MADE - FREED: the kernel adds to MADE (and
 * REFUSED) with atomic adds, user space adds to FREED when it deletes
 * one of the owner's profiles.  Each counter has one writer, so neither
 * side can lose the other's update, as a read-modify-write of one shared
 * count would.  UID EBPH_OWNER_ALL holds the sums of all non-root owners.
 */
struct ebph_owner_key {
	__u32 uid;
	__u32 kind;		/* EBPH_OWNER_MADE, _FREED or _REFUSED */
};
_Static_assert(sizeof(struct ebph_owner_key) == 8, "ebph_owner_key ABI");

#define EBPH_OWNER_MADE		0	/* profiles created (or loaded) */
#define EBPH_OWNER_FREED	1	/* profiles deleted, by user space */
#define EBPH_OWNER_REFUSED	2	/* creations refused over the quota */

/*
 * Value of the "paths" map, same key as "profiles".  The kernel writes it
 * once, when it creates the profile (the exec's filename, or the comm of a
 * task picked up mid-run); user space then replaces it with the absolute
 * path it resolved and checked against the key.  Kept apart from struct
 * ebph_profile so that user space never rewrites a value the kernel is
 * updating on another CPU.
 */
struct ebph_path {
	char path[EBPH_PATH_LEN];
};

/* Which lookahead-pair set a row belongs to. */
#define EBPH_TRAIN		0
#define EBPH_TEST		1

/*
 * Key of the "rows" map.  The value is one row of a lookahead-pair set:
 * __u8 row[EBPH_NUM_SYSCALLS], where bit (i - 1) of row[p & 511] says "p
 * was seen i calls before call".  call is a symbol (< EBPH_NUM_CALLS).  A
 * profile holds one row per call it has made, per set, which keeps a
 * profile to tens of kilobytes.
 */
struct ebph_row_key {
	__u64 profile;
	__u16 call;
	__u16 set;		/* EBPH_TRAIN or EBPH_TEST */
	__u32 pad;		/* zero: hashed with the rest of the key */
};
_Static_assert(sizeof(struct ebph_row_key) == 16, "ebph_row_key ABI");

/* ---- sequences (the optional detector, like STIDE) ---------------------
 *
 * With EBPH_DET_SEQS the last EBPH_SEQ_CALLS calls of a task form one
 * sequence, learned and tested whole: a call is anomalous when its
 * sequence is not in the profile's test set.  Key of the "seqs" map:
 */
struct ebph_seq_key {
	__u64 profile;
	__u64 seq;		/* ebph_seq_pack() of the window */
};
_Static_assert(sizeof(struct ebph_seq_key) == 16, "ebph_seq_key ABI");

/*
 * Value of the "seqs" map: STAMP, the epoch the sequence was last
 * learned in, and PREV, an older stamp that keeps it in the test set.
 * The sets are ranges of epochs kept in the profile, tested by
 * ebph_seq_in_train() and ebph_seq_in_test() below, so that no program
 * has to walk the map to copy or clear a set (docs/DESIGN.md, Sequences
 * and epochs).
 */
struct ebph_seq {
	__u32 stamp;
	__u32 prev;
};
_Static_assert(sizeof(struct ebph_seq) == 8, "ebph_seq ABI");

/*
 * The sequence of the window seq[0..5] as one 64-bit word: 10 bits a
 * call, the newest in the low bits.  W0 holds seq[0..3] and W1 seq[4..7]
 * as little-endian 16-bit lanes (as struct ebph_task holds them).  An
 * empty slot (EBPH_EMPTY) packs as 0x3ff, which no call symbol is
 * (see EBPH_I386), so a window still filling up is a sequence of
 * its own.  Both sides use this one function: replay and saved files
 * mean what the kernel means.
 */
static inline __u64 ebph_seq_pack(__u64 w0, __u64 w1)
{
	const __u64 m = 0x3ff;

	return (w0 & m) | (w0 >> 6 & m << 10) | (w0 >> 12 & m << 20) |
	       (w0 >> 18 & m << 30) | (w1 & m) << 40 | (w1 >> 16 & m) << 50;
}

/* Slot I (0: newest) of a packed sequence: a call, or EBPH_EMPTY. */
static inline __u32 ebph_seq_call(__u64 seq, int i)
{
	__u32 c = (seq >> (10 * i)) & 0x3ff;

	return c == 0x3ff ? EBPH_EMPTY : c;
}

static inline int ebph_seq_in_train(const struct ebph_profile *p,
				    const struct ebph_seq *s)
{
	return s->stamp >= p->seq_train_from;
}

/* Whether an element stamped STAMP is in P's test set by that stamp. */
static inline int ebph_seq_stamp_in_test(const struct ebph_profile *p,
					 __u32 stamp)
{
	return stamp >= p->seq_test_from && stamp < p->seq_test_to;
}

static inline int ebph_seq_in_test(const struct ebph_profile *p,
				   const struct ebph_seq *s)
{
	return ebph_seq_stamp_in_test(p, s->stamp) ||
	       ebph_seq_stamp_in_test(p, s->prev);
}

/* ---- tasks -------------------------------------------------------------- */

/*
 * Signal frames.  A signal handler's calls have nothing to do with the
 * calls it interrupted: in the interrupted window they make pairs no
 * training run repeats, false alarms at random points.  So, as pH and
 * ebpH did, a handler's calls get a window of their own.  When a signal
 * is delivered to a handler (tracepoint signal/signal_deliver, not
 * SIG_DFL or SIG_IGN) the task's window is saved and it starts empty;
 * the handler's calls are learned and tested in it, in the same profile,
 * and at its last call, rt_sigreturn (or i386 sigreturn), the saved
 * window comes back.  The saved windows are in the task (struct
 * ebph_task's second part), which only a task in a handler reads.
 *
 * A ring of EBPH_FRAMES windows, task->frames of them in use: a handler
 * interrupted by another signal's handler is exact, and deeper nesting
 * (rare: a handler runs with its own signal blocked) overwrites the
 * oldest saved window, counted in EBPH_STAT_FRAMES_FULL.  The ring also
 * bounds what a handler left by siglongjmp() costs: its frame is never
 * popped, so the calls after the jump go on in the handler's window (as
 * without frames), and its saved window lingers until EBPH_FRAMES later
 * handlers have overwritten it.  ebpH kept 6 frames in 2020 and then 2.
 * At exec the ring empties (the new program has no handlers yet); at
 * fork the child inherits it, as it inherits the handler's stack frame
 * it will return through; at a sigreturn with nothing saved (a handler
 * that began before ebph did, or a sigreturn no signal led to) the
 * window goes on.  cfg->signal_frames off: no frame is pushed (those
 * already saved still come back).
 */
#define EBPH_FRAMES		2	/* saved windows a thread (max 255) */
#define EBPH_NR_RT_SIGRETURN	15	/* x86_64 rt_sigreturn */
#define EBPH_NR_I386_SIGRETURN	119	/* i386 sigreturn */
#define EBPH_NR_I386_RT_SIGRETURN 173	/* i386 rt_sigreturn */


/* Value of the "tasks" map, key: the kernel pid of a thread (its tid). */
struct ebph_task {
	__u64 profile;		/* key of the profile it runs */
	__u64 count;		/* calls this task made while traced */
	__u64 lf[EBPH_LOCALITY_WIN / 64]; /* bit set: that call was anomalous */
	__u32 pid;		/* thread group id; 0 for a forked task until
				 * its first call (sched_process_fork does not
				 * say whether the child is a thread) */
	__u16 pending;		/* calls not yet added to the profile's
				 * counters, and how many calls after the */
	__u16 flush_in;		/* last flush the next is due (0: at the
				 * next call): see EBPH_FLUSH_CALLS */
	__u16 seq[EBPH_SEQLEN];	/* seq[0] is the newest call */
	__u8 lf_pos;		/* next slot of the locality ring */
	__u8 lfc;		/* set bits in lf */
	__u8 max_lfc;		/* highest lfc this task reached */
	__u8 flags;		/* EBPH_TASK_* */
	__u8 frames;		/* saved windows: the signal handlers it
				 * is in, 0..EBPH_FRAMES (see there) */
	__u8 pad;
	/* Bytes 64 on: read only by a task in a signal handler (and tid,
	 * by a delay).  Every
	 * call reads the 64 bytes above, and a hash map element's value
	 * starts on a cache line (after the allocator's 8-byte link, the
	 * element's 48 and the key's 8), so these cost no line to a task
	 * in no handler: only memory, 64 bytes more an element (the
	 * allocator's 192-byte size for 128). */
	__u16 saved[EBPH_FRAMES][EBPH_SEQLEN];	/* windows, a ring */
	__u8 saved_top;		/* the slot the next push writes: the
				 * newest saved is saved_top - 1 */
	__u8 pad2[3];
	__u32 tid;		/* read only by a delay (and user space) */
	__u32 pad3;
};
_Static_assert(sizeof(struct ebph_task) == 64 + 4 * EBPH_SEQLEN + 12,
	       "ebph_task ABI");

/* Task flags: cleared at exec, inherited at fork. */
#define EBPH_TASK_IO_URING	(1U << 0)	/* its io_uring use was reported */
#define EBPH_TASK_SEQ_MISS	(1U << 1)	/* EBPH_DET_SEQS7: the sequence of
						 * the last call tested was not
						 * in the test set */

/* Whether call symbol SYM (EBPH_I386 + N for i386) returns from a
 * signal handler. */
static inline int ebph_is_sigreturn(__u32 sym)
{
	return sym == EBPH_NR_RT_SIGRETURN ||
	       sym == EBPH_I386 + EBPH_NR_I386_SIGRETURN ||
	       sym == EBPH_I386 + EBPH_NR_I386_RT_SIGRETURN;
}

/* ---- settings and counters --------------------------------------------- */

/*
 * The one entry of the "config" ARRAY map.  BPF programs cannot have
 * global data here (the loader has no .data/.rodata), so this map is where
 * settings and the kernel struct offsets read from BTF live.
 */
struct ebph_config {
	__u64 normal_wait;	/* ns a profile stays frozen before normal */
	__u32 anomaly_limit;
	__u32 tolerize_limit;
	__u32 monitoring;	/* 0: sys_enter returns at once */
	__u32 log_sequences;	/* report every new pair learned */
	/* Offsets into kernel structs, from /sys/kernel/btf/vmlinux: a
	 * hand-made, visible stand-in for CO-RE relocations. */
	__u32 off_task_mm;	/* task_struct.mm */
	__u32 off_mm_exe_file;	/* mm_struct.exe_file */
	__u32 off_file_inode;	/* file.f_inode */
	__u32 off_inode_ino;	/* inode.i_ino */
	__u32 off_inode_sb;	/* inode.i_sb */
	__u32 off_sb_dev;	/* super_block.s_dev */
	__u32 detectors;	/* EBPH_DET_PAIRS | EBPH_DET_SEQS (| _SEQS7) */
	__u32 off_inode_uid;	/* inode.i_uid (a kuid_t: one __u32) */
	__u32 owner_quota;	/* profiles a non-root owner may have */
	__u32 users_max;	/* profiles all non-root owners may have */
	__u32 off_inode_nlink;	/* inode.i_nlink: 0 for a memfd or a
				 * deleted file */
	__u32 signal_frames;	/* a window for each signal handler frame
				 * (see EBPH_FRAMES); ebph run's default */
	__u32 off_task_real_parent;	/* task_struct.real_parent */
	__u32 off_task_tgid;	/* task_struct.tgid */
	__u32 off_task_loginuid;	/* task_struct.loginuid (a kuid_t); 0:
					 * not in this kernel (no CONFIG_AUDIT) */
	/* pH's responses (see EBPH_RESPONSES), all off by default. */
	__u32 enforce;		/* refuse execve at execve_lfc */
	__u32 execve_lfc;	/* the LFC at which execve is refused */
	__u32 self_tgid;	/* the running ebph: never refused or delayed */
	__u64 delay_factor;	/* ns; a call is delayed 2^LFC times this */
	__u32 off_bprm_filename;	/* linux_binprm.filename: a refused
					 * exec's file (EBPH_EV_EXEC_REFUSED) */
	__u32 execve_hook;	/* 1: ebph_bprm_check is on its hook (set by
				 * ebph run): enforce can act */
	__u32 assoc_events;	/* 1: an EBPH_EV_ASSOC at every exec (ebph
				 * run -v prints them); 0: only for a
				 * profile whose path is not yet absolute */
};
_Static_assert(sizeof(struct ebph_config) == 120, "ebph_config ABI");

/*
 * EBPH_RESPONSES: what pH did beyond an alarm, and who is spared.
 *
 * pH slowed a task down by 2^LFC x delay_factor per call and refused
 * execve to a task whose LFC was high.  ebph does both on request only
 * (ebph run --enforce, --delay-factor; ebph set at run time).  Neither
 * ever acts on a task whose profile is not normal (a profile in
 * training has no verdict to act on), on PID 1 (the machine needs it),
 * or on the running ebph and its threads (cfg->self_tgid: ebph must
 * never slow or refuse itself).  The kernel's may_respond() is that
 * rule, for every response.
 */

/*
 * EBPH_DELAYS: pH's delays, on an eBPF that cannot sleep.
 *
 * pH put each call of a task whose LFC is over 0 to sleep in the kernel
 * for 2^LFC x delay_factor.  A BPF program cannot sleep, so sys_enter
 * stops the process instead: bpf_send_signal_thread(SIGSTOP), taken when
 * the call returns to user space, and an EBPH_EV_DELAY event (lfc, arg:
 * the delay in ns); `ebph run` sends SIGCONT once the delay has passed
 * (ebph_delay.c).  One delay at a time per process: the "delays" map,
 * keyed by the thread group id, holds the one in progress (struct
 * ebph_delay), and a process with an entry is not stopped again until
 * `ebph run` has resumed it and deleted it.  The map is pinned, so the
 * record survives a SIGKILL of ebph: the next `ebph run` resumes what
 * its pins list before it removes them.
 *
 * The delay is capped at EBPH_DELAY_MAX_NS a call: 2^LFC grows to 2^128
 * with the locality frame, and a program stopped for minutes at one call
 * looks hung to whoever waits for it (a client's timeout, a watchdog),
 * which is a refusal, not a delay.  pH had no cap: its delay_factor was
 * small and its tolerize limit bounded LFC; here an LFC of 10 with a
 * 1 ms factor already reaches the cap.
 */
#define EBPH_DELAY_MAX_NS	1000000000ULL	/* 1 s per call */
#define EBPH_SIGSTOP		19	/* x86's (BPF has no <signal.h>) */
#define EBPH_MAX_DELAYS		4096	/* processes delayed at once */

/* Value of the "delays" map, key: the thread group id of the process. */
struct ebph_delay {
	__u64 ts;		/* bpf_ktime_get_boot_ns() at the stop */
	__u64 ns;		/* the delay */
	__u32 tid;		/* the thread whose call was delayed */
	__u32 lfc;		/* its LFC then */
};


/* What sys_enter learns and tests (ebph run --detector).  Each detector
 * keeps its own data per profile; the life cycle (frozen, normal, the
 * limits) is shared: a call is new when either detector learns from it
 * and anomalous when either misses. */
#define EBPH_DET_PAIRS		(1U << 0)	/* pH's lookahead pairs, default */
#define EBPH_DET_SEQS		(1U << 1)	/* whole sequences, see above */
/* With EBPH_DET_SEQS: a window of 7 calls, judged by the two sequences
 * of 6 in it.  A call is anomalous when its sequence or the previous
 * call's is not in the test set (EBPH_TASK_SEQ_MISS keeps the previous
 * verdict).  ADFA-LD's 7-call sequences did better than 6 by anomaly
 * rate (docs/evaluation.md), and 7 calls do not pack in the 64-bit key;
 * this needs no key and no sequence more. */
#define EBPH_DET_SEQS7		(1U << 2)

/* ---- state changes of a profile -----------------------------------------
 *
 * The one copy of each, for all who change a profile: the kernel program
 * (ebph_kern.c, the algorithm's steps 3 to 5), the commands (ebph_cmd.c:
 * normalize, sensitize, tolerize), replay and the bench.  Each changes
 * only the struct ebph_profile, and returns the work on the pair rows it
 * leaves to its caller (EBPH_WORK_*), which has its own way to walk the
 * rows map: the kernel's finish_work(), with BPF helpers, and user
 * space's ebph_rows_work() (ebph_maps.c), over bpf(2).  Whoever writes
 * the profile back does the row work first, so that the kernel never
 * tests against a test set still being copied.  What goes with a change
 * beyond the profile (events, a task's locality frame) stays with the
 * caller.
 *
 * DETECTORS points at the detectors that run (cfg->detectors): only
 * their sets change.  A pointer to volatile, read at every test, for the
 * kernel's sake: the verifier then sees an unknown value each time, as
 * in detector_on(), instead of a register whose bits each test refines,
 * which splits its states (and costs verified instructions).
 */
#define EBPH_WORK_COPY		1U	/* test rows := train rows; a test row
					 * whose train row is gone goes too */
#define EBPH_WORK_RESET		2U	/* delete the train rows */
#define EBPH_WORK_DROP_TEST	4U	/* delete the test rows (user space's
					 * delete; the kernel never asks it) */

/* The sets of start normal (below) alone, which the bench takes for
 * every profile before it sets NORMAL where it wants it: the pairs' test
 * set becomes a copy of their train set, the sequences' test set the
 * train set's range of epochs, and what is learned from now on gets an
 * epoch past it (struct ebph_seq). */
static inline __u32 ebph_take_test_set(struct ebph_profile *p,
				       const volatile __u32 *detectors)
{
	if (*detectors & EBPH_DET_SEQS) {
		p->seq_test_from = p->seq_train_from;
		p->seq_test_to = p->seq_epoch + 1;
		p->seq_epoch++;
	}
	return *detectors & EBPH_DET_PAIRS ? EBPH_WORK_COPY : 0;
}

/* Start normal (step 3, and `ebph normalize`): the train sets become the
 * test sets, and the counters restart so that the profile can freeze
 * again, and a later freeze copies again.  normal_time stays: it means
 * something only while FROZEN, which this clears, and a freeze sets it
 * anew. */
static inline __u32 ebph_start_normal(struct ebph_profile *p,
				      const volatile __u32 *detectors)
{
	__u32 work = ebph_take_test_set(p, detectors);

	p->status = EBPH_NORMAL;
	p->train_count = 0;
	p->last_mod_count = 0;
	p->anomalies = 0;
	return work;
}

/* Stop normal (step 4 over the anomaly limit, and `ebph tolerize`): back
 * to training, the train data and both detectors' sets kept, so that
 * what made the anomalies is learned as normal. */
static inline __u32 ebph_stop_normal(struct ebph_profile *p,
				     const volatile __u32 *detectors)
{
	p->status &= ~(EBPH_NORMAL | EBPH_FROZEN);
	return 0;
}

/* Reset training (step 5, and `ebph sensitize`): forget the train sets
 * (the pairs' rows, the sequences by a new epoch).  NORMAL and the test
 * sets stay: the profile keeps testing while it learns again. */
static inline __u32 ebph_reset_train(struct ebph_profile *p,
				     const volatile __u32 *detectors)
{
	p->train_count = 0;
	p->last_mod_count = 0;
	p->status &= ~EBPH_FROZEN;
	if (*detectors & EBPH_DET_SEQS)
		p->seq_train_from = ++p->seq_epoch;
	return *detectors & EBPH_DET_PAIRS ? EBPH_WORK_RESET : 0;
}

/* Indices of the counters in the per-CPU "stats" map.  Every one of them
 * is something that would otherwise be silent.  They are bumped only off
 * the common path: calls seen are the sum of the profiles' counts. */
enum ebph_stat {
	EBPH_STAT_BIG_CALL,	/* numbers no call has (syscall(-1)...), skipped */
	EBPH_STAT_ANOMALIES,
	EBPH_STAT_EVENT_DROPS,	/* bpf_perf_event_output failed (ring full):
				 * the only count of lost events, as the
				 * ring's PERF_RECORD_LOST counts the same */
	EBPH_STAT_TASKS_FULL,	/* "tasks" map full: threads left untraced,
				 * each counted once (see "untraced") */
	EBPH_STAT_PROFILES_FULL,/* "profiles" map full */
	EBPH_STAT_ROWS_FULL,	/* "rows" map full: a pair went unlearned */
	EBPH_STAT_KEY_ERRORS,	/* could not read the executable's inode:
				 * threads, each counted once */
	EBPH_STAT_SEQS_FULL,	/* "seqs" map full: a sequence went unlearned */
	EBPH_STAT_X32,		/* x32 calls (only if the kernel allows the
				 * x32 ABI: CONFIG_X86_X32_ABI), not traced */
	EBPH_STAT_OWNER_QUOTA,	/* a profile refused: its owner over quota
				 * (per owner: EBPH_OWNER_REFUSED) */
	EBPH_STAT_UNNAMED_EXEC,	/* execs of a file with no name (memfd,
				 * deleted): reported, see EBPH_EV_UNNAMED_EXEC */
	EBPH_STAT_IO_URING,	/* io_uring requests of traced tasks, which
				 * ebph does not analyze: see EBPH_EV_IO_URING */
	EBPH_STAT_FRAMES_FULL,	/* signal handlers whose frame overwrote the
				 * oldest saved window (see EBPH_FRAMES) */
	EBPH_STAT_DELAYS,	/* processes stopped for a delay
				 * (EBPH_DELAYS) */
	EBPH_STAT_EXEC_REFUSED,	/* execs refused (--enforce), each an
				 * EBPH_EV_EXEC_REFUSED */
	EBPH_STAT_MAX,
};

/* ---- events to user space ---------------------------------------------- */

enum ebph_event_type {
	EBPH_EV_ANOMALY = 1,	/* a normal profile saw unknown pairs */
	EBPH_EV_NEW_PROFILE,	/* first sight of an executable */
	EBPH_EV_ASSOC,		/* a task now runs a profile (exec, pick-up) */
	EBPH_EV_FROZEN,		/* training data stable; normal at normal_time */
	EBPH_EV_START_NORMAL,	/* frozen long enough: testing from now on */
	EBPH_EV_STOP_NORMAL,	/* over the anomaly limit: back to training */
	EBPH_EV_TOLERIZE,	/* a task's LFC over the limit: training reset */
	EBPH_EV_NEW_SEQ,	/* a new pair or sequence learned (with
				 * log_sequences) */
	EBPH_EV_MESSAGE,	/* error/warning/info/debug, see code */
	EBPH_EV_UNNAMED_EXEC,	/* an exec of a file with no link left (a
				 * memfd, a deleted file): its profile is
				 * new each time, so it is never tested */
	EBPH_EV_IO_URING,	/* a task's first io_uring request since its
				 * exec (call: the opcode): what the ring does
				 * is not system calls, and is not analyzed */
	EBPH_EV_DELAY,		/* a process stopped for a delay (lfc, arg:
				 * the delay in ns): see EBPH_DELAYS */
	EBPH_EV_EXEC_REFUSED,	/* an execve refused with EPERM (--enforce):
				 * lfc, arg the threshold; the record is a
				 * struct ebph_refusal, with the file */
	EBPH_EV_MAX,
};

enum ebph_level { EBPH_DEBUG, EBPH_INFO, EBPH_WARNING, EBPH_ERROR };

/* Message codes for EBPH_EV_MESSAGE: BPF has no strings without .rodata,
 * so the kernel sends a code and user space owns the text. */
enum ebph_msg {
	EBPH_MSG_KEY_ERROR = 1,	/* arg: the failing step, enum ebph_key_step */
	EBPH_MSG_TASKS_FULL,	/* arg: the tid left untraced */
	EBPH_MSG_PROFILES_FULL,
	EBPH_MSG_ROWS_FULL,	/* arg: the call whose row could not be made;
				 * EBPH_NUM_CALLS: rows of the test set,
				 * while copying it */
	EBPH_MSG_SEQS_FULL,	/* arg: the packed sequence not learned */
};

/* The steps of reading an executable's key from the kernel, in order:
 * the arg of EBPH_MSG_KEY_ERROR names the one that failed. */
enum ebph_key_step {
	EBPH_KEY_NO_OFFSETS,	/* config holds no BTF offsets yet */
	EBPH_KEY_TASK_MM,	/* task->mm (NULL: a kernel thread) */
	EBPH_KEY_MM_EXE_FILE,	/* mm->exe_file */
	EBPH_KEY_FILE_INODE,	/* file->f_inode */
	EBPH_KEY_INODE_INO,	/* inode->i_ino */
	EBPH_KEY_INODE_SB,	/* inode->i_sb */
	EBPH_KEY_SB_DEV,	/* sb->s_dev */
	EBPH_KEY_INODE_UID,	/* inode->i_uid */
};

/*
 * One record through the "events" PERF_EVENT_ARRAY.  Fixed size for every
 * type; the fields a type does not use are zero.
 */
struct ebph_event {
	__u32 type;		/* enum ebph_event_type */
	__u32 pid;
	__u32 tid;
	__u32 call;		/* anomaly, new_seq: the current call */
	__u64 ts;		/* bpf_ktime_get_boot_ns() */
	__u64 profile;
	__u32 misses;		/* anomaly: pairs missing from test;
				 * new_seq: the pair's distance, 1..8, or
				 * 0 for a sequence (arg: packed) */
	__u32 lfc;		/* anomaly, tolerize: the task's LFC */
	__u32 anomalies;	/* anomaly, stop_normal: the profile's count */
	__u16 level;		/* message: enum ebph_level */
	__u16 code;		/* message: enum ebph_msg */
	__u64 arg;		/* message: code-specific; new_seq: the earlier
				 * call of the pair; frozen: normal_time */
	__u16 seq[EBPH_SEQLEN];	/* anomaly, new_seq: the window, seq[0] newest */
	__u16 seq_miss;		/* anomaly: 1 if the last EBPH_SEQ_CALLS calls
				 * are not in the test set (EBPH_DET_SEQS) */
	char comm[EBPH_COMM_LEN];
	/* Where the event came from, for a log reader (ev_origin()): the
	 * parent (real_parent's tgid, as getppid(2) says it), the real uid,
	 * the login uid and the cgroup (v2) id, which user space turns into
	 * a path. */
	__u32 ppid;
	__u32 uid;
	__u32 loginuid;		/* task_struct.loginuid; 0xffffffff: none, or
				 * a kernel without audit (off_task_loginuid 0) */
	__u64 cgroup;		/* bpf_get_current_cgroup_id() */
};
_Static_assert(sizeof(struct ebph_event) == 112, "ebph_event ABI");

/* The one record longer than an event: a refused exec, with the file it
 * tried to run (linux_binprm.filename, as execve got it: maybe
 * relative). */
struct ebph_refusal {
	struct ebph_event ev;	/* ev.type EBPH_EV_EXEC_REFUSED */
	char file[EBPH_PATH_LEN];
};

/* A profile's key as every line, listing and file name writes it: 16
 * hex digits (a key's high bits, the device, are often zero).
 * ebph_parse_key() (ebph_util.h) reads it back, and 0x... too. */
#define EBPH_KEY_FMT		"%016llx"

/* Where `ebph run` pins its maps, by the names ebph_kern.c gives them
 * (EBPH_MAPS in ebph_maps.h lists those user space uses). */
#define EBPH_PIN_DIR		"/sys/fs/bpf/ebph"

#endif /* EBPH_H */
