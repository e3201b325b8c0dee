/*
 * utils.c - the userland programs, judged by output and exit status.
 * Each row runs /bin/PROG with its arguments and stdin, and names the
 * stdout and status it must give (stderr is not compared).
 */
#include <sys/stat.h>

#include "gt.h"

struct row {
	const char *argv[10];  /* argv[0] is the program name in /bin */
	const char *in;        /* stdin, NULL for none */
	const char *out;       /* expected stdout */
	int status;            /* expected exit status */
};

static void
run_rows(const struct row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		char *argv[10], path[64], out[4096];
		size_t k;

		snprintf(path, sizeof path, "/bin/%s", r->argv[0]);
		argv[0] = path;
		for (k = 1; k < 9 && r->argv[k]; k++)
			argv[k] = (char *)r->argv[k];
		argv[k] = NULL;
		int st = gt_run(argv, r->in, out, sizeof out, -1);  /* messages are not judged */
		int ok = gt_exited(st, r->status) && !strcmp(out, r->out);

		if (!ok) {
			char what[64];

			fprintf(stderr, "    row %zu: %s", i, r->argv[0]);
			for (k = 1; k < 9 && r->argv[k]; k++)
				fprintf(stderr, " '%s'", r->argv[k]);
			fprintf(stderr, "\n      want status %d, stdout \"%s\"\n      got %s, stdout \"%s\"\n",
				r->status, r->out, gt_describe(st, what, sizeof what), out);
		}
		CHECK(ok);
	}
}

#define ROWS(name, ...)                                               \
	GT(name)                                                      \
	{                                                             \
		static const struct row rows[] = { __VA_ARGS__ };     \
		setup();                                              \
		run_rows(rows, sizeof rows / sizeof rows[0]);         \
	}

static void
put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* Fixture files every group may use. */
static void
setup(void)
{
	mkdir("/tmp/u", 0755);
	put("/tmp/u/abc", "alpha\nbeta\ngamma\n");
	put("/tmp/u/nums", "10\n9\n100\n-3\n9\n");
	put("/tmp/u/dups", "a\na\nb\na\na\na\nc\n");
	put("/tmp/u/empty", "");
	put("/tmp/u/noeol", "one\ntwo");
	mkdir("/tmp/lsd", 0755);
	mkdir("/tmp/lsd/sub", 0755);
	put("/tmp/lsd/f", "");
}

ROWS(echo_rows,
     { { "echo", "hello", "world" }, NULL, "hello world\n", 0 },
     { { "echo" }, NULL, "\n", 0 },
     { { "echo", "-n", "no newline" }, NULL, "no newline", 0 },
     { { "echo", "-e", "a\\tb\\nc" }, NULL, "a\tb\nc\n", 0 },
     { { "echo", "-e", "x\\cy" }, NULL, "x", 0 },
     { { "echo", "-x", "literal" }, NULL, "-x literal\n", 0 },
     { { "echo", "a\\nb" }, NULL, "a\\nb\n", 0 })

ROWS(true_false_rows,
     { { "true" }, NULL, "", 0 },
     { { "true", "--anything" }, NULL, "", 0 },
     { { "false" }, NULL, "", 1 })

ROWS(cat_rows,
     { { "cat" }, "from stdin\n", "from stdin\n", 0 },
     { { "cat", "/tmp/u/abc" }, NULL, "alpha\nbeta\ngamma\n", 0 },
     { { "cat", "/tmp/u/noeol", "-", "/tmp/u/empty" }, "mid\n", "one\ntwomid\n", 0 },
     { { "cat", "/tmp/u/missing", "/tmp/u/noeol" }, NULL, "one\ntwo", 1 })

ROWS(wc_rows,
     { { "wc", "-l" }, "a\nb\nc\n", "3\n", 0 },
     { { "wc", "-w" }, "one two  three\n\tfour", "4\n", 0 },
     { { "wc", "-c" }, "12345", "5\n", 0 },
     { { "wc" }, "a b\nc\n", "      2       3       6\n", 0 },
     { { "wc", "-l", "/tmp/u/abc" }, NULL, "3 /tmp/u/abc\n", 0 },
     { { "wc", "-l", "/tmp/u/abc", "/tmp/u/noeol" }, NULL,
       "      3 /tmp/u/abc\n      1 /tmp/u/noeol\n      4 total\n", 0 },
     { { "wc", "-z" }, NULL, "", 2 })

ROWS(head_tail_rows,
     { { "head", "-n", "2" }, "1\n2\n3\n", "1\n2\n", 0 },
     { { "head", "-1", "/tmp/u/abc" }, NULL, "alpha\n", 0 },
     { { "head" }, "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", 0 },
     { { "head", "-n", "0" }, "x\n", "", 0 },
     { { "head", "-n", "1", "/tmp/u/abc", "/tmp/u/noeol" }, NULL,
       "==> /tmp/u/abc <==\nalpha\n\n==> /tmp/u/noeol <==\none\n", 0 },
     { { "head", "-n", "x" }, NULL, "", 2 },
     { { "tail", "-n", "2" }, "1\n2\n3\n", "2\n3\n", 0 },
     { { "tail", "-n", "1", "/tmp/u/noeol" }, NULL, "two", 0 },
     { { "tail", "-n", "+2" }, "1\n2\n3\n", "2\n3\n", 0 },
     { { "tail", "-2" }, "a\nb\nc\nd\n", "c\nd\n", 0 },
     { { "tail", "-n", "9" }, "a\nb\n", "a\nb\n", 0 },
     { { "tail" }, "", "", 0 })

ROWS(grep_rows,
     { { "grep", "et" }, "alpha\nbeta\nzeta\n", "beta\nzeta\n", 0 },
     { { "grep", "-v", "et" }, "alpha\nbeta\nzeta\n", "alpha\n", 0 },
     { { "grep", "-c", "a" }, "alpha\nbeta\nxyz\n", "2\n", 0 },
     { { "grep", "-n", "gam", "/tmp/u/abc" }, NULL, "3:gamma\n", 0 },
     { { "grep", "-i", "BETA", "/tmp/u/abc" }, NULL, "beta\n", 0 },
     { { "grep", "^a.*a$", "/tmp/u/abc" }, NULL, "alpha\n", 0 },
     { { "grep", "-E", "be|ga", "/tmp/u/abc" }, NULL, "beta\ngamma\n", 0 },
     { { "grep", "-F", "a.", "/tmp/u/abc" }, NULL, "", 1 },
     { { "grep", "-q", "beta", "/tmp/u/abc" }, NULL, "", 0 },
     { { "grep", "-l", "beta", "/tmp/u/abc", "/tmp/u/dups" }, NULL, "/tmp/u/abc\n", 0 },
     { { "grep", "a", "/tmp/u/abc", "/tmp/u/dups" }, NULL,
       "/tmp/u/abc:alpha\n/tmp/u/abc:beta\n/tmp/u/abc:gamma\n/tmp/u/dups:a\n/tmp/u/dups:a\n"
       "/tmp/u/dups:a\n/tmp/u/dups:a\n/tmp/u/dups:a\n", 0 },
     { { "grep", "-e", "alpha", "-e", "gamma", "/tmp/u/abc" }, NULL, "alpha\ngamma\n", 0 },
     { { "grep", "zzz", "/tmp/u/abc" }, NULL, "", 1 },
     { { "grep", "x", "/tmp/u/missing" }, NULL, "", 2 },
     { { "grep", "a[" }, "a\n", "", 2 })

ROWS(sort_uniq_rows,
     { { "sort" }, "b\na\nc\n", "a\nb\nc\n", 0 },
     { { "sort", "-r" }, "b\na\nc\n", "c\nb\na\n", 0 },
     { { "sort", "-n", "/tmp/u/nums" }, NULL, "-3\n9\n9\n10\n100\n", 0 },
     { { "sort", "-nr", "/tmp/u/nums" }, NULL, "100\n10\n9\n9\n-3\n", 0 },
     { { "sort", "-u", "/tmp/u/dups" }, NULL, "a\nb\nc\n", 0 },
     { { "sort", "-n", "-u" }, "2\n02\n1\n", "1\n02\n", 0 },
     { { "sort" }, "", "", 0 },
     { { "uniq" }, "a\na\nb\na\n", "a\nb\na\n", 0 },
     { { "uniq", "-c", "/tmp/u/dups" }, NULL, "      2 a\n      1 b\n      3 a\n      1 c\n", 0 },
     { { "uniq", "-d", "/tmp/u/dups" }, NULL, "a\na\n", 0 },
     { { "uniq", "-u", "/tmp/u/dups" }, NULL, "b\nc\n", 0 })

ROWS(seq_rows,
     { { "seq", "3" }, NULL, "1\n2\n3\n", 0 },
     { { "seq", "2", "4" }, NULL, "2\n3\n4\n", 0 },
     { { "seq", "10", "-3", "1" }, NULL, "10\n7\n4\n1\n", 0 },
     { { "seq", "0", "0.5", "1.5" }, NULL, "0.0\n0.5\n1.0\n1.5\n", 0 },
     { { "seq", "-s", ",", "3" }, NULL, "1,2,3\n", 0 },
     { { "seq", "-w", "8", "10" }, NULL, "08\n09\n10\n", 0 },
     { { "seq", "5", "1" }, NULL, "", 0 },
     { { "seq", "x" }, NULL, "", 1 },
     { { "seq" }, NULL, "", 2 })

ROWS(tee_rows,
     { { "tee", "/tmp/t1", "/tmp/t2" }, "copied\n", "copied\n", 0 },
     { { "cat", "/tmp/t1", "/tmp/t2" }, NULL, "copied\ncopied\n", 0 },
     { { "tee", "-a", "/tmp/t1" }, "more\n", "more\n", 0 },
     { { "cat", "/tmp/t1" }, NULL, "copied\nmore\n", 0 },
     { { "tee", "/no/such/dir/f" }, "still\n", "still\n", 1 })

ROWS(file_tool_rows,
     { { "mkdir", "/tmp/u/d1" }, NULL, "", 0 },
     { { "mkdir", "/tmp/u/d1" }, NULL, "", 1 },
     { { "mkdir", "-p", "/tmp/u/d1/x/y/z" }, NULL, "", 0 },
     { { "mkdir", "-p", "/tmp/u/d1/x" }, NULL, "", 0 },
     { { "touch", "/tmp/u/d1/x/y/z/f" }, NULL, "", 0 },
     { { "touch", "-c", "/tmp/u/d1/nope" }, NULL, "", 0 },
     { { "ls", "/tmp/u/d1/x/y/z" }, NULL, "f\n", 0 },
     { { "cp", "/tmp/u/abc", "/tmp/u/d1/copy" }, NULL, "", 0 },
     { { "cat", "/tmp/u/d1/copy" }, NULL, "alpha\nbeta\ngamma\n", 0 },
     { { "cp", "/tmp/u/abc", "/tmp/u/dups", "/tmp/u/d1/x" }, NULL, "", 0 },
     { { "ls", "/tmp/u/d1/x" }, NULL, "abc\ndups\ny\n", 0 },
     { { "cp", "/tmp/u/d1", "/tmp/u/d2" }, NULL, "", 1 },
     { { "cp", "-r", "/tmp/u/d1", "/tmp/u/d2" }, NULL, "", 0 },
     { { "ls", "/tmp/u/d2/x/y/z" }, NULL, "f\n", 0 },
     { { "mv", "/tmp/u/d1/copy", "/tmp/u/d1/moved" }, NULL, "", 0 },
     { { "ls", "/tmp/u/d1" }, NULL, "moved\nx\n", 0 },
     { { "mv", "/tmp/u/d1/moved", "/tmp/u/d2" }, NULL, "", 0 },
     { { "ls", "-1", "/tmp/u/d2" }, NULL, "copy\nmoved\nx\n", 0 },
     { { "rm", "/tmp/u/d2" }, NULL, "", 1 },
     { { "rm", "-r", "/tmp/u/d1", "/tmp/u/d2" }, NULL, "", 0 },
     { { "ls", "/tmp/u/d1" }, NULL, "", 2 },
     { { "rm", "/tmp/u/nothing" }, NULL, "", 1 },
     { { "rm", "-f", "/tmp/u/nothing" }, NULL, "", 0 },
     { { "rm", "-r", "." }, NULL, "", 1 })

ROWS(ls_rows,
     { { "ls", "/tmp/u" }, NULL, "abc\ndups\nempty\nnoeol\nnums\n", 0 },
     { { "ls", "-a", "/tmp/u" }, NULL, ".\n..\nabc\ndups\nempty\nnoeol\nnums\n", 0 },
     { { "ls", "-d", "/tmp/u" }, NULL, "/tmp/u\n", 0 },
     { { "ls", "/tmp/u/abc", "/tmp/u/nums" }, NULL, "/tmp/u/abc\n/tmp/u/nums\n", 0 },
     { { "ls", "-F", "/tmp/lsd" }, NULL, "f\nsub/\n", 0 },
     { { "ls", "/nope" }, NULL, "", 2 },
     { { "ls", "-q" }, NULL, "", 2 })

ROWS(test_rows,
     { { "test", "-d", "/tmp" }, NULL, "", 0 },
     { { "test", "-f", "/tmp" }, NULL, "", 1 },
     { { "test", "-f", "/tmp/u/abc" }, NULL, "", 0 },
     { { "test", "-e", "/nope" }, NULL, "", 1 },
     { { "test", "-s", "/tmp/u/empty" }, NULL, "", 1 },
     { { "test", "-s", "/tmp/u/abc" }, NULL, "", 0 },
     { { "test", "-n", "x" }, NULL, "", 0 },
     { { "test", "-z", "" }, NULL, "", 0 },
     { { "test", "" }, NULL, "", 1 },
     { { "test" }, NULL, "", 1 },
     { { "test", "-n" }, NULL, "", 0 },
     { { "test", "abc", "=", "abc" }, NULL, "", 0 },
     { { "test", "abc", "!=", "abc" }, NULL, "", 1 },
     { { "test", "3", "-lt", "12" }, NULL, "", 0 },
     { { "test", "3", "-gt", "12" }, NULL, "", 1 },
     { { "test", "-5", "-le", "-5" }, NULL, "", 0 },
     { { "test", "x", "-eq", "1" }, NULL, "", 2 },
     { { "test", "!", "-e", "/nope" }, NULL, "", 0 },
     { { "test", "(", "x", ")" }, NULL, "", 0 },
     { { "test", "-d", "/tmp", "-a", "-f", "/tmp/u/abc" }, NULL, "", 0 },
     { { "test", "-d", "/nope", "-o", "1", "-eq", "1" }, NULL, "", 0 },
     { { "test", "!", "(", "1", "=", "2", ")", "-a", "b" }, NULL, "", 0 },
     { { "test", "-L", "/tmp" }, NULL, "", 1 },
     { { "test", "a", "<", "b" }, NULL, "", 0 },
     { { "[", "1", "=", "1", "]" }, NULL, "", 0 },
     { { "[", "1", "=", "1" }, NULL, "", 2 },
     { { "[", "]" }, NULL, "", 1 },
     { { "test", "-q", "x" }, NULL, "", 2 })

ROWS(env_rows,
     { { "env", "-i", "A=1", "B=two words" }, NULL, "A=1\nB=two words\n", 0 },
     { { "env", "-i", "X=y", "/bin/printenv-missing" }, NULL, "", 127 },
     { { "env", "-i", "G=ok", "/bin/echo", "run" }, NULL, "run\n", 0 },
     /* no PATH left: execvp's default, /bin:/usr/bin */
     { { "env", "-i", "P=1", "env" }, NULL, "P=1\n", 0 })

ROWS(printf_rows,
     { { "printf", "%s=%d\\n", "a", "1", "b", "2" }, NULL, "a=1\nb=2\n", 0 },
     { { "printf", "[%5s][%-3s][%03d][%x][%o][%c]", "ab", "c", "7", "255", "8", "zed" }, NULL,
       "[   ab][c  ][007][ff][10][z]", 0 },
     { { "printf", "%.2f %e\\n", "3.14159", "1000" }, NULL, "3.14 1.000000e+03\n", 0 },
     { { "printf", "%b|%s\\n", "a\\tb", "a\\tb" }, NULL, "a\tb|a\\tb\n", 0 },
     { { "printf", "%d\\n", "'A" }, NULL, "65\n", 0 },
     { { "printf", "no args\\n" }, NULL, "no args\n", 0 },
     { { "printf", "%d\\n", "x1" }, NULL, "0\n", 1 },
     { { "printf", "100%%\\n" }, NULL, "100%\n", 0 })

ROWS(misc_rows,
     { { "pwd" }, NULL, "/\n", 0 },
     { { "sleep", "0.01" }, NULL, "", 0 },
     { { "sleep", "x" }, NULL, "", 2 },
     { { "sleep" }, NULL, "", 2 },
     { { "kill", "-l", "9" }, NULL, "KILL\n", 0 },
     { { "kill", "-l", "TERM" }, NULL, "15\n", 0 },
     { { "kill", "-l", "137" }, NULL, "KILL\n", 0 },
     { { "kill", "-0", "999999" }, NULL, "", 1 },
     { { "kill", "-NOPE", "1" }, NULL, "", 2 },
     { { "kill" }, NULL, "", 2 })

/* ls -l: type, mode, links, owner, size, time, name; links show their target. */
GT(ls_long)
{
	char out[1024];

	setup();
	symlink("f", "/tmp/lsd/ln");
	char *argv[] = { "/bin/ls", "-l", "/tmp/lsd", NULL };

	CHECK(gt_exited(gt_run(argv, NULL, out, sizeof out, 0), 0));
	CHECK(!strncmp(out, "total ", 6));
	char *f = strstr(out, "\n-rw-r--r--  1 root root        0 ");
	char *l = strstr(out, "\nlrwxrwxrwx  1 root root ");
	char *d = strstr(out, "\ndrwxr-xr-x ");

	CHECK(f && strstr(f, " f\n"));
	CHECK(l && strstr(l, " ln -> f\n"));
	CHECK(d && strstr(d, " sub\n"));
}

/* yes and head: a pipeline that ends by SIGPIPE upstream. */
GT(yes_head)
{
	char *argv[] = { "/bin/sh", "-c", "yes ab | head -n 3", NULL };
	char out[64];

	CHECK(gt_exited(gt_run(argv, NULL, out, sizeof out, 0), 0));
	CHECK_STR(out, "ab\nab\nab\n");
}

/* ps lists us, our parent, and init, with states. */
GT(ps_lists)
{
	char *argv[] = { "/bin/ps", NULL };
	char out[4096], me[32];

	CHECK(gt_exited(gt_run(argv, NULL, out, sizeof out, 0), 0));
	CHECK(!strncmp(out, "  PID  PPID  PGID   SID S", 25));
	snprintf(me, sizeof me, "\n%5d ", (int)getpid());
	CHECK(strstr(out, me) != NULL);
	CHECK(strstr(out, "\n    1     0 ") != NULL);  /* init */
	CHECK(strstr(out, " ps\n") != NULL);
	CHECK(strstr(out, " R ") != NULL);  /* ps itself runs */
}

/* kill sends signals, to groups with a negative pid too. */
GT(kill_program)
{
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		setpgid(0, 0);
		for (;;)
			pause();
	}
	setpgid(c, c);
	char pid[32], out[64];

	snprintf(pid, sizeof pid, "-%d", (int)c);
	char *argv[] = { "/bin/kill", "-HUP", "--", pid, NULL };

	CHECK(gt_exited(gt_run(argv, NULL, out, sizeof out, 0), 0));
	CHECK(gt_signalled(gt_wait(c), SIGHUP));
}

/* init runs its program and passes on the status; with no program, /bin/sh. */
GT(init_status)
{
	char *argv[] = { "/bin/init", "/bin/sh", "-c", "exit 7", NULL };
	char out[64];

	CHECK(gt_exited(gt_run(argv, NULL, out, sizeof out, 0), 7));
	char *argv2[] = { "/bin/init", "/bin/sh", "-c", "kill -TERM $$", NULL };

	CHECK(gt_signalled(gt_run(argv2, NULL, out, sizeof out, 0), SIGTERM));
	char *argv3[] = { "/bin/init", "/no/such/program", NULL };

	CHECK(gt_exited(gt_run(argv3, NULL, out, sizeof out, 0), 127));
	char *argv4[] = { "/bin/init", NULL };

	CHECK(gt_exited(gt_run(argv4, "echo from-default-sh\n", out, sizeof out, 0), 0));
	CHECK_STR(out, "from-default-sh\n");
}
