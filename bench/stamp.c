// SPDX-License-Identifier: MIT
/*
 * bench_stamp: runs one command with its stdout on a pipe and measures it
 * from the outside, the same way for every VMM (scripts/bench.sh).
 *
 *   bench_stamp [-t SEC] [-o FILE] [-p PATTERN] -- CMD...
 *	One run.  Prints "first_us=F exit_us=E rc=R [pattern_us=P]":
 *	microseconds from just before fork+exec to the first byte read from
 *	the pipe, to the reaped exit, and to the read that completed PATTERN
 *	(-1: never happened); R is the exit status (128+N for signal N).  The
 *	output is copied to FILE (default: none).
 *   bench_stamp -m PATTERN -r RAM_MIB [-s MS] [-t SEC] -- CMD...
 *	Memory: waits until PATTERN appears in the output (the guest idles),
 *	waits MS more (default 300), reads /proc/PID/smaps, stops the
 *	command with SIGTERM and prints "rss_kb=T guest_kb=G overhead_kb=O
 *	pss_kb=P".  The guest RAM mapping is the anonymous mapping of
 *	RAM_MIB (up to 8 MiB larger: alignment, guard pages) with the most
 *	resident pages; G is its Rss, O = T - G.  Then one line per thread:
 *	"thread tid=T cpu_ms=C switches=S comm=NAME" (CPU time from
 *	/proc/PID/task/T/sched, ns precision; else clock ticks from stat;
 *	blanks in NAME become '_').  -o FILE gets the output up to PATTERN.
 *   bench_stamp -L SEC [-t SEC] -- CMD...
 *	Rate: runs CMD again and again for SEC seconds, sequentially, output
 *	discarded.  Prints "cycles=N seconds=S rate=R failed=F".
 *
 * -t bounds each run (default 60 s): the command is killed (SIGKILL) and
 * the result reports rc=137.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STAMP_PATTERN_WINDOW	4096	/* longer patterns are refused */

struct stamp_opts {
	double timeout_s;
	const char *out_path;
	const char *pattern;
	bool stop_at_pattern;		/* memory mode: leave it running */
	unsigned long ram_mib;
	unsigned int settle_ms;
	double loop_s;
	char **argv;
};

struct stamp_run {
	int64_t first_us, exit_us, pattern_us;
	int rc;
	bool matched;
};

static int64_t stamp_now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static pid_t stamp_spawn(char **argv, int *rfd)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		if (null >= 0)
			dup2(null, STDIN_FILENO);
		dup2(p[1], STDOUT_FILENO);
		execvp(argv[0], argv);
		fprintf(stderr, "bench_stamp: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(p[1]);
	*rfd = p[0];
	return pid;
}

static int stamp_status(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return -1;
}

/*
 * Looks for pattern in the new bytes plus the tail kept from earlier reads
 * (a pattern split across two reads still matches; NUL bytes are fine).
 */
static bool stamp_match(char *win, size_t *len, const char *buf, size_t n,
			const char *pattern)
{
	size_t plen = strlen(pattern);

	while (n) {
		size_t take = n < STAMP_PATTERN_WINDOW - *len ?
			      n : STAMP_PATTERN_WINDOW - *len;

		memcpy(win + *len, buf, take);
		*len += take;
		buf += take;
		n -= take;
		if (memmem(win, *len, pattern, plen))
			return true;
		if (*len >= plen) {
			memmove(win, win + *len - (plen - 1), plen - 1);
			*len = plen - 1;
		}
	}
	return false;
}

/*
 * Runs argv once.  With a pattern, returns as soon as it is seen and
 * leaves the child running (*pid_out set); otherwise reaps it.
 */
static int stamp_one(const struct stamp_opts *o, struct stamp_run *r,
		     pid_t *pid_out, FILE *out)
{
	char buf[65536], win[STAMP_PATTERN_WINDOW];
	size_t wlen = 0;
	int64_t t0, deadline;
	int fd, st;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->first_us = r->exit_us = r->pattern_us = -1;
	t0 = stamp_now_us();
	deadline = t0 + (int64_t)(o->timeout_s * 1e6);
	pid = stamp_spawn(o->argv, &fd);
	if (pid < 0) {
		fprintf(stderr, "bench_stamp: spawn: %s\n", strerror(errno));
		return -1;
	}
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int64_t left = deadline - stamp_now_us();
		ssize_t n;

		if (left <= 0) {
			kill(pid, SIGKILL);
			break;
		}
		if (poll(&pfd, 1, (int)(left / 1000) + 1) <= 0)
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (r->first_us < 0)
			r->first_us = stamp_now_us() - t0;
		if (out)
			fwrite(buf, 1, (size_t)n, out);
		if (o->pattern && !r->matched &&
		    stamp_match(win, &wlen, buf, (size_t)n, o->pattern)) {
			r->matched = true;
			r->pattern_us = stamp_now_us() - t0;
			if (o->stop_at_pattern) {
				*pid_out = pid;
				close(fd);
				return 0;
			}
		}
	}
	close(fd);
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	r->exit_us = stamp_now_us() - t0;
	r->rc = stamp_status(st);
	return 0;
}

static bool stamp_is_anon(const char *line)
{
	/* "start-end perms offset dev inode [path]": no path, or [anon:..] */
	int fields = 0;
	const char *p = line;

	while (*p && fields < 5) {
		while (*p == ' ')
			p++;
		while (*p && *p != ' ' && *p != '\n')
			p++;
		fields++;
	}
	while (*p == ' ')
		p++;
	return *p == '\n' || *p == '\0' || strncmp(p, "[anon", 5) == 0;
}

static int stamp_smaps(pid_t pid, unsigned long ram_mib)
{
	char path[64], line[512];
	unsigned long size = 0, rss = 0, pss = 0, total = 0, guest = 0;
	unsigned long ram_kb = ram_mib * 1024, v;
	bool anon = false, in_map = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "bench_stamp: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Size: %lu kB", &v) == 1) {
			size = v;
		} else if (sscanf(line, "Rss: %lu kB", &v) == 1) {
			rss = v;
			total += v;
			if (in_map && anon && size >= ram_kb &&
			    size <= ram_kb + 8192 && rss > guest)
				guest = rss;
		} else if (sscanf(line, "Pss: %lu kB", &v) == 1) {
			pss += v;
		} else if (strchr(line, '-') && strchr(line, '-') < strchr(line, ' ')) {
			in_map = true;
			anon = stamp_is_anon(line);
			size = 0;
		}
	}
	fclose(f);
	printf("rss_kb=%lu guest_kb=%lu overhead_kb=%lu pss_kb=%lu\n",
	       total, guest, total - guest, pss);
	return guest ? 0 : -1;
}

/* CPU time of one thread in ms, and its context switches. */
static bool stamp_thread_cpu(pid_t pid, long tid, double *ms, long *switches)
{
	char path[96], line[256];
	bool have = false;
	FILE *f;

	*switches = -1;
	snprintf(path, sizeof(path), "/proc/%d/task/%ld/sched", (int)pid, tid);
	f = fopen(path, "r");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "se.sum_exec_runtime : %lf", ms) == 1)
				have = true;
			else
				sscanf(line, "nr_switches : %ld", switches);
		}
		fclose(f);
	}
	if (have)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/task/%ld/stat", (int)pid, tid);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (fgets(line, sizeof(line), f)) {
		unsigned long ut, st;
		char *p = strrchr(line, ')');

		/* after "pid (comm)": state is field 3, utime 14, stime 15 */
		if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
				&ut, &st) == 2) {
			*ms = (ut + st) * 1000.0 / sysconf(_SC_CLK_TCK);
			have = true;
		}
	}
	fclose(f);
	return have;
}

static void stamp_threads(pid_t pid)
{
	char dir[64], path[96], comm[64];
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/task", (int)pid);
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d))) {
		long tid = strtol(e->d_name, NULL, 10), sw;
		double ms = 0;
		FILE *f;

		if (tid <= 0)
			continue;
		snprintf(path, sizeof(path), "%s/%ld/comm", dir, tid);
		f = fopen(path, "r");
		if (!f || !fgets(comm, sizeof(comm), f))
			snprintf(comm, sizeof(comm), "?");
		if (f)
			fclose(f);
		comm[strcspn(comm, "\n")] = '\0';
		for (char *c = comm; *c; c++)
			if (*c == ' ')
				*c = '_';
		if (stamp_thread_cpu(pid, tid, &ms, &sw))
			printf("thread tid=%ld cpu_ms=%.3f switches=%ld comm=%s\n",
			       tid, ms, sw, comm);
	}
	closedir(d);
}

static int stamp_memory(const struct stamp_opts *o, FILE *out)
{
	struct stamp_run r;
	pid_t pid = 0;
	int st, ret;

	if (stamp_one(o, &r, &pid, out) < 0)
		return 1;
	if (!r.matched) {
		fprintf(stderr, "bench_stamp: \"%s\" never appeared (rc=%d)\n",
			o->pattern, r.rc);
		return 1;
	}
	usleep(o->settle_ms * 1000);
	ret = stamp_smaps(pid, o->ram_mib);
	stamp_threads(pid);
	kill(pid, SIGTERM);
	waitpid(pid, &st, 0);
	return ret < 0 ? 1 : 0;
}

static int stamp_loop(const struct stamp_opts *o)
{
	int64_t t0 = stamp_now_us(), end = t0 + (int64_t)(o->loop_s * 1e6);
	unsigned long cycles = 0, failed = 0;
	double secs;

	while (stamp_now_us() < end) {
		struct stamp_run r;

		if (stamp_one(o, &r, NULL, NULL) < 0 || r.rc != 0)
			failed++;
		else
			cycles++;
	}
	secs = (stamp_now_us() - t0) / 1e6;
	printf("cycles=%lu seconds=%.3f rate=%.3f failed=%lu\n", cycles, secs,
	       cycles / secs, failed);
	return failed ? 1 : 0;
}

static int stamp_usage(void)
{
	fprintf(stderr, "usage: bench_stamp [-t SEC] [-o FILE] [-p PATTERN] -- CMD...\n"
		"       bench_stamp -m PATTERN -r RAM_MIB [-s MS] -- CMD...\n"
		"       bench_stamp -L SEC -- CMD...\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct stamp_opts o = { .timeout_s = 60, .settle_ms = 300 };
	struct stamp_run r;
	FILE *out = NULL;
	int c;

	while ((c = getopt(argc, argv, "+t:o:m:p:r:s:L:")) != -1) {
		switch (c) {
		case 't': o.timeout_s = atof(optarg); break;
		case 'o': o.out_path = optarg; break;
		case 'm': o.pattern = optarg; o.stop_at_pattern = true; break;
		case 'p': o.pattern = optarg; break;
		case 'r': o.ram_mib = strtoul(optarg, NULL, 0); break;
		case 's': o.settle_ms = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'L': o.loop_s = atof(optarg); break;
		default: return stamp_usage();
		}
	}
	if (optind >= argc || o.timeout_s <= 0 || (o.stop_at_pattern && !o.ram_mib) ||
	    (o.pattern && (!*o.pattern ||
	     strlen(o.pattern) >= STAMP_PATTERN_WINDOW / 2)))
		return stamp_usage();
	o.argv = argv + optind;
	signal(SIGPIPE, SIG_IGN);
	if (o.loop_s > 0 && !o.stop_at_pattern)
		return stamp_loop(&o);
	if (o.out_path) {
		out = fopen(o.out_path, "w");
		if (!out) {
			fprintf(stderr, "bench_stamp: %s: %s\n", o.out_path,
				strerror(errno));
			return 1;
		}
	}
	if (o.stop_at_pattern) {
		c = stamp_memory(&o, out);
		if (out)
			fclose(out);
		return c;
	}
	if (stamp_one(&o, &r, NULL, out) < 0)
		return 1;
	if (out)
		fclose(out);
	printf("first_us=%lld exit_us=%lld rc=%d", (long long)r.first_us,
	       (long long)r.exit_us, r.rc);
	if (o.pattern)
		printf(" pattern_us=%lld", (long long)r.pattern_us);
	printf("\n");
	return 0;
}
