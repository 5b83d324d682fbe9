/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * exp_child.c: one plugin run in a child process, and the gate that bounds
 * how many run at once. The child is started with posix_spawn() (glibc
 * forks it with CLONE_VFORK, so a busy multi-threaded exporter does not
 * copy its page tables per probe) into a process group of its own, with
 * stdin and stderr on /dev/null, stdout on a pipe, the signal mask and
 * dispositions reset, and no shell. The parent reads the pipe until EOF,
 * its output bound or the deadline, kills the whole group (stragglers
 * included) and reaps the child: whatever the plugin does, crash, stall or
 * flood, the exporter gets its fds back and leaves no zombie.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exporter.h"

extern char **environ;

double
exp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const char *
exp_run_status_name(enum exp_run_status s)
{
	switch (s) {
	case EXP_RUN_EXITED:
		return "exited";
	case EXP_RUN_KILLED:
		return "killed_at_deadline";
	case EXP_RUN_SIGNALED:
		return "died_of_signal";
	case EXP_RUN_SPAWN:
		return "not_started";
	case EXP_RUN_OVERSIZE:
		return "output_too_large";
	}
	return "unknown";
}

static int
ms_left(double deadline)
{
	double left = deadline - exp_now();

	if (left <= 0.0)
		return 0;
	return (int)ceil(left * 1000.0);
}

/* Has the child exited (without reaping it)? */
static bool
child_done(pid_t pid)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
		return errno == ECHILD;
	return si.si_pid == pid;
}

void
exp_run(char *const argv[], double deadline_s, struct exp_run *r)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, defs;
	int pfd[2];
	pid_t pid;
	double t0 = exp_now(), deadline = t0 + deadline_s;
	size_t cap = 16384;
	bool eof = false, killed = false, oversize = false;
	int st = 0, rc;

	memset(r, 0, sizeof(*r));
	r->out = xmalloc(cap);
	r->out[0] = '\0';
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		r->status = EXP_RUN_SPAWN;
		r->seconds = exp_now() - t0;
		return;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigfillset(&defs);
	sigdelset(&defs, SIGKILL);
	sigdelset(&defs, SIGSTOP);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &defs);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP |
					      POSIX_SPAWN_SETSIGMASK |
					      POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawn(&pid, argv[0], &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(pfd[1]);
	if (rc != 0) {
		close(pfd[0]);
		r->status = EXP_RUN_SPAWN;
		r->exit_code = rc; /* the errno */
		r->seconds = exp_now() - t0;
		return;
	}

	while (!eof) {
		struct pollfd p = {pfd[0], POLLIN, 0};
		int left = ms_left(deadline);
		ssize_t n;

		if (left == 0) {
			killed = true;
			break;
		}
		rc = poll(&p, 1, left);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0)
			continue; /* the deadline check above ends it */
		if (r->outlen + 1 >= cap) {
			if (cap >= EXP_OUTPUT_MAX) {
				oversize = true;
				break;
			}
			cap *= 2;
			r->out = xrealloc(r->out, cap);
		}
		n = read(pfd[0], r->out + r->outlen, cap - 1 - r->outlen);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			eof = true;
			break;
		}
		r->outlen += (size_t)n;
	}
	close(pfd[0]);
	r->out[r->outlen] = '\0';

	/* stdout closed: wait for the exit itself, up to the deadline */
	while (eof && !child_done(pid)) {
		int left = ms_left(deadline);
		struct timespec ts = {0, 2 * 1000 * 1000};
		if (left == 0) {
			killed = true;
			break;
		}
		nanosleep(&ts, NULL);
	}
	/* the group: the child if it still runs, and anything it left */
	kill(-pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	r->seconds = exp_now() - t0;
	if (oversize) {
		r->status = EXP_RUN_OVERSIZE;
	} else if (killed) {
		r->status = EXP_RUN_KILLED;
	} else if (WIFEXITED(st)) {
		r->status = EXP_RUN_EXITED;
		r->exit_code = WEXITSTATUS(st);
	} else {
		r->status = EXP_RUN_SIGNALED;
		r->signo = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
	}
}

void
exp_run_free(struct exp_run *r)
{
	free(r->out);
	r->out = NULL;
	r->outlen = 0;
}

/* ---- the gate ---- */

static pthread_mutex_t gate_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cv;
static int gate_limit = 1, gate_running, gate_waiting;

void
exp_gate_init(int limit)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&gate_cv, &ca);
	pthread_condattr_destroy(&ca);
	gate_limit = limit > 0 ? limit : 1;
}

int
exp_gate_enter(double start_by)
{
	struct timespec ts;
	int rc = 0;

	ts.tv_sec = (time_t)start_by;
	ts.tv_nsec = (long)((start_by - (double)ts.tv_sec) * 1e9);
	pthread_mutex_lock(&gate_mu);
	gate_waiting++;
	while (gate_running >= gate_limit) {
		if (exp_now() >= start_by ||
		    pthread_cond_timedwait(&gate_cv, &gate_mu, &ts) ==
			    ETIMEDOUT) {
			if (gate_running >= gate_limit)
				rc = -1;
			break;
		}
	}
	gate_waiting--;
	if (rc == 0)
		gate_running++;
	pthread_mutex_unlock(&gate_mu);
	return rc;
}

void
exp_gate_leave(void)
{
	pthread_mutex_lock(&gate_mu);
	gate_running--;
	pthread_cond_broadcast(&gate_cv);
	pthread_mutex_unlock(&gate_mu);
}

void
exp_gate_counts(int *running, int *waiting, int *limit)
{
	pthread_mutex_lock(&gate_mu);
	*running = gate_running;
	*waiting = gate_waiting;
	*limit = gate_limit;
	pthread_mutex_unlock(&gate_mu);
}
