/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ebph_replay.h - `ebph replay`: recorded system call traces fed through
 * the real sys_enter program with BPF_PROG_TEST_RUN (docs/evaluation.md, How replay keeps
 * verdicts apart).
 */
#ifndef EBPH_REPLAY_H
#define EBPH_REPLAY_H

/* The subcommand: ARGV[0] is "replay".  Returns the exit status. */
int cmd_replay(int argc, char **argv);

#endif /* EBPH_REPLAY_H */
