/*
 * test_taskfs.c - /task and /cap from the host's side: a kernel with the
 * real abi, small WASI programs in wat, and every file and verb driven
 * through fs_open / vn_read / vn_write as a host reader (no process), so
 * nothing here depends on the guest userland.
 */
#include "unit.h"
#include "kern/kt.h"
#include "wat_guests.h"
#include "abi/abi.h"
#include "fs/fs.h"
#include "kern/file.h"
#include "kern/kern.h"
#include "kern/task.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Writes "out\n" to fd 1 and "err\n" to fd 2, exits 7. */
static const char hello_wat[] =
	WG_MODULE WG_HELLO_DATA "(func (export \"_start\")\n" WG_HELLO
	"  (call $proc_exit (i32.const 7))))\n";

/* cat: fd 0 to fd 1 until EOF, then exit 5. */
static const char cat_wat[] =
	WG_MODULE "(func (export \"_start\") (local $n i32)\n" WG_CAT
	"  (call $proc_exit (i32.const 5))))\n";

static const char spin_wat[] = WG_SPIN;

/* Four pages of memory to begin with. */
static const char big_wat[] =
	"(module " WG_WASI("proc_exit", "(param i32)") "(memory (export \"memory\") 4)\n"
	"(func (export \"_start\") (call $proc_exit (i32.const 0))))\n";

struct fx {
	struct abi *abi;
	struct kern *k;
	struct ns *ns;
};

static void
install(struct fx *f, const char *path, const char *wat)
{
	size_t len = 0;
	uint8_t *b = kt_wat(wat, &len);

	CHECK(b != NULL);
	if (b)
		CHECK_EQ_U64(fs_put(f->ns, path, b, len), 0);
	free(b);
}

static void
fx_init(struct fx *f)
{
	struct kern_config kc = { .seed = 11, .resolve = abi_resolve };

	memset(f, 0, sizeof *f);
	CHECK_EQ_U64(abi_new(&f->abi), 0);
	kc.resolve_ctx = f->abi;
	CHECK_EQ_U64(kern_new(&kc, &f->k), 0);
	f->ns = f->k->root_ns = fs_default_root(0, 11, NULL);
	CHECK(f->ns != NULL);
	CHECK_EQ_U64(task_attach(f->k, f->ns), 0);
	CHECK_EQ_U64(task_attach(f->k, f->ns), E_EXIST);
	install(f, "/bin/hello", hello_wat);
	install(f, "/bin/cat", cat_wat);
	install(f, "/bin/spin", spin_wat);
	install(f, "/bin/big", big_wat);
}

static void
fx_free(struct fx *f)
{
	kern_free(f->k);
	abi_free(f->abi);
}

static void
run(struct fx *f, int steps)
{
	struct kern_event ev;

	for (int i = 0; i < steps; i++) {
		CHECK_EQ_U64(kern_step(f->k, 200000, &ev), 0);
		if (ev.what == KERN_DONE || ev.what == KERN_IDLE)
			break;
	}
}

/* The whole file as a host reader (nonblocking): 0 or the errno. */
static int
hread(struct fx *f, const char *path, char *buf, size_t cap)
{
	struct fs_io io = { .nonblock = true };
	struct vnode *v;
	size_t got = 0, n;
	int e;

	buf[0] = 0;
	e = fs_open(f->ns, NULL, path, strlen(path), FS_O_READ, &io, &v);
	if (e)
		return e;
	while (got + 1 < cap) {
		e = vn_read(v, &io, got, buf + got, cap - 1 - got, &n);
		if (e || n == 0)
			break;
		got += n;
	}
	buf[got] = 0;
	vn_close(v, FS_O_READ, &io);
	vn_unref(v);
	return got && e == E_AGAIN ? 0 : e;
}

static const char *
rd(struct fx *f, const char *path)
{
	static char buf[4096];
	int e = hread(f, path, buf, sizeof buf);

	if (e)
		snprintf(buf, sizeof buf, "E%s", fs_errname(e));
	return buf;
}

static int
hwrite(struct fx *f, const char *path, const char *s, size_t len)
{
	struct fs_io io = { .nonblock = true };
	unsigned of = FS_O_WRITE | FS_O_TRUNC;
	struct vnode *v;
	size_t n;
	int e;

	e = fs_open(f->ns, NULL, path, strlen(path), of, &io, &v);
	if (e)
		return e;
	e = vn_write(v, &io, 0, s, len, &n);
	if (!e && n != len)
		e = E_IO;
	vn_close(v, of, &io);
	vn_unref(v);
	return e;
}

static int
ctl(struct fx *f, int32_t id, const char *file, const char *msg)
{
	char path[64];

	snprintf(path, sizeof path, "/task/%d/%s", id, file);
	return hwrite(f, path, msg, strlen(msg));
}

static const char *
taskrd(struct fx *f, int32_t id, const char *file)
{
	char path[64];

	snprintf(path, sizeof path, "/task/%d/%s", id, file);
	return rd(f, path);
}

static int32_t
newtask(struct fx *f, const char *dir)
{
	char path[64], buf[32];

	snprintf(path, sizeof path, "%s/new", dir);
	CHECK_EQ_U64(hread(f, path, buf, sizeof buf), 0);
	return atoi(buf);
}

TEST(task_new_start_wait)
{
	struct fx f;
	int32_t id, id2;
	char want[128];

	fx_init(&f);
	id = newtask(&f, "/task");
	id2 = newtask(&f, "/task");
	CHECK(id > 0 && id2 > id);
	snprintf(want, sizeof want, "%d 0 %d new 0 0 new\n", id, id);
	CHECK_STR(taskrd(&f, id, "status"), want);
	CHECK_STR(rd(&f, "/task"), "EISDIR");
	CHECK_STR(taskrd(&f, id, "wait"), "EAGAIN");
	CHECK_STR(taskrd(&f, id, "exitcode"), "EAGAIN");
	CHECK_EQ_U64(ctl(&f, id, "ctl", "cmd /bin/hello a 'b c'\n"), 0);
	CHECK_STR(taskrd(&f, id, "args"), "/bin/hello\na\nb c\n");
	CHECK_EQ_U64(ctl(&f, id, "ctl", "start"), 0);
	CHECK_EQ_U64(ctl(&f, id, "ctl", "start"), E_BUSY);
	CHECK_EQ_U64(ctl(&f, id, "ctl", "cmd /bin/x"), E_BUSY);
	run(&f, 50);
	CHECK_STR(taskrd(&f, id, "fd/1"), "out\n");
	CHECK_STR(taskrd(&f, id, "fd/2"), "err\n");
	CHECK_STR(taskrd(&f, id, "wait"), "exit 7\n");
	CHECK_STR(taskrd(&f, id, "wait"), "exit 7\n");   /* every reader gets it */
	CHECK_STR(taskrd(&f, id, "exitcode"), "7\n");
	snprintf(want, sizeof want, "%d 0 %d exited ", id, id);
	CHECK(!strncmp(taskrd(&f, id, "status"), want, strlen(want)));
	CHECK(strstr(taskrd(&f, id, "status"), " 0 hello\n") != NULL);   /* memory gone, name kept */
	/* Everything else: "no such process". */
	CHECK_EQ_U64(ctl(&f, id, "ctl", "kill 9"), E_SRCH);
	CHECK_STR(taskrd(&f, id, "args"), "ESRCH");
	CHECK_STR(taskrd(&f, id, "env"), "ESRCH");
	CHECK_STR(taskrd(&f, id, "ns/mounts"), "ESRCH");
	CHECK_STR(taskrd(&f, id, "fd/0"), "ESRCH");
	CHECK_EQ_U64(ctl(&f, id, "ctl", "kill"), E_SRCH);
	CHECK_EQ_U64(ctl(&f, id2, "ctl", "kill"), 0);   /* never started: ends */
	CHECK_STR(taskrd(&f, id2, "wait"), "signal 9 SIGKILL\n");
	CHECK_STR(taskrd(&f, 999999, "status"), "ENOENT");
	fx_free(&f);
}

TEST(task_ctl_errors)
{
	static const struct {
		const char *msg;
		int err;
		const char *echo;
	} cases[] = {
		{ "frob 1 2", E_INVAL, "'frob 1 2': unknown verb" },
		{ "start now", E_INVAL, "'start now': usage: start" },
		{ "nice", E_INVAL, "'nice': usage: nice n" },
		{ "nice 1 2", E_INVAL, "'nice 1 2': usage: nice n" },
		{ "nice 99999999999999999999999", E_INVAL, NULL },
		{ "nice -21", E_INVAL, NULL },
		{ "nice x", E_INVAL, "'nice x': nice is a number from -20 to 19" },
		{ "memlimit 1T", E_INVAL, NULL },
		{ "memlimit 0", E_INVAL, NULL },
		{ "memlimit 99999999999999999999G", E_INVAL, NULL },
		{ "fuel -5", E_INVAL, NULL },
		{ "fuel 0", E_INVAL, NULL },
		{ "kill NOSIG", E_INVAL, "'kill NOSIG': no such signal" },
		{ "kill 65", E_INVAL, NULL },
		{ "cmd 'unterminated", E_INVAL, "'cmd 'unterminated': unterminated quote" },
		{ "start", E_INVAL, "'start': no cmd yet" },
		{ "bind /a", E_INVAL, NULL },
		{ "bind -x /a /b", E_INVAL, "'bind -x /a /b': unknown option -x" },
		{ "bind -ba /tmp /bin", E_INVAL, NULL },
		{ "bind /nope /tmp", E_NOENT, "'bind /nope /tmp': no such file or directory" },
		{ "dup /tmp/x", E_INVAL, NULL },           /* a verb of fd/N/ctl only */
		{ "\x01\x02\xff", E_INVAL, "'??" "?': unknown verb" },
		{ "stop", E_BUSY, NULL },
	};
	struct fx f;
	char big[5000], many[1024];
	int32_t id;

	fx_init(&f);
	id = newtask(&f, "/task");
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int e = ctl(&f, id, "ctl", cases[i].msg);

		if (e != cases[i].err)
			unit_fail(__FILE__, __LINE__, "%s: %s, not %s", cases[i].msg, fs_errname(e),
				  fs_errname(cases[i].err));
		if (cases[i].echo) {
			char want[300];

			snprintf(want, sizeof want, "%s\n", cases[i].echo);
			CHECK_STR(taskrd(&f, id, "ctl"), want);
		}
	}
	/* Overlong, binary with NUL, too many words. */
	memset(big, 'a', sizeof big);
	CHECK_EQ_U64(hwrite(&f, "/task/new", "x", 1), E_ACCES);
	{
		char path[64];

		snprintf(path, sizeof path, "/task/%d/ctl", id);
		CHECK_EQ_U64(hwrite(&f, path, big, sizeof big), E_INVAL);
		CHECK(strstr(taskrd(&f, id, "ctl"), "message too long") != NULL);
		CHECK_EQ_U64(hwrite(&f, path, "cmd a\0b", 7), E_INVAL);
		CHECK_STR(taskrd(&f, id, "ctl"), "NUL byte in message\n");
		for (size_t i = 0; i < sizeof many - 1; i++)
			many[i] = i % 2 ? ' ' : 'w';
		many[sizeof many - 1] = 0;
		CHECK_EQ_U64(hwrite(&f, path, many, strlen(many)), E_INVAL);
		CHECK(strstr(taskrd(&f, id, "ctl"), "too many words") != NULL);
	}
	/* Several lines: done in order until one fails. */
	CHECK_EQ_U64(ctl(&f, id, "ctl", "nice 3\nnice 4\nbogus\nnice 9\n"), E_INVAL);
	CHECK_STR(taskrd(&f, id, "stat/cpu"), "fuel 0 limit 0 nice 4 level 0\n");
	/* Files that take no writes, files that take no reads. */
	CHECK_EQ_U64(ctl(&f, id, "status", "x"), E_ACCES);
	CHECK_EQ_U64(ctl(&f, id, "wait", "x"), E_ACCES);
	CHECK_STR(taskrd(&f, id, "ctl"), "'bogus': unknown verb\n");
	fx_free(&f);
}

TEST(task_env_cwd_args)
{
	struct fx f;
	int32_t id;

	fx_init(&f);
	id = newtask(&f, "/task");
	CHECK_STR(taskrd(&f, id, "env"), "");   /* made by the host: empty */
	CHECK_EQ_U64(ctl(&f, id, "env", "A=1\nB=two words\n"), 0);
	CHECK_STR(taskrd(&f, id, "env"), "A=1\nB=two words\n");
	CHECK_EQ_U64(ctl(&f, id, "env", "C=3\n"), 0);       /* O_TRUNC: replaced */
	CHECK_STR(taskrd(&f, id, "env"), "C=3\n");
	CHECK_STR(taskrd(&f, id, "cwd"), "/\n");
	CHECK_EQ_U64(ctl(&f, id, "cwd", "/tmp\n"), 0);
	CHECK_STR(taskrd(&f, id, "cwd"), "/tmp\n");
	CHECK_EQ_U64(ctl(&f, id, "cwd", "/nope"), E_NOENT);
	CHECK_EQ_U64(ctl(&f, id, "cwd", "/bin/hello"), E_NOTDIR);
	CHECK_EQ_U64(ctl(&f, id, "ctl", "cmd hello"), 0);
	CHECK_EQ_U64(ctl(&f, id, "ctl", "start"), E_NOENT);   /* relative to /tmp */
	CHECK(strstr(taskrd(&f, id, "ctl"), "'start': hello: ") != NULL);
	CHECK_EQ_U64(ctl(&f, id, "cwd", "/bin"), 0);
	CHECK_EQ_U64(ctl(&f, id, "ctl", "start"), 0);
	CHECK_EQ_U64(ctl(&f, id, "env", "D=4\n"), E_BUSY);
	CHECK_EQ_U64(ctl(&f, id, "cwd", "/"), E_BUSY);
	CHECK_STR(taskrd(&f, id, "env"), "C=3\n");
	CHECK_STR(taskrd(&f, id, "args"), "hello\n");
	run(&f, 50);
	CHECK_STR(taskrd(&f, id, "wait"), "exit 7\n");
	fx_free(&f);
}

TEST(task_stdio_and_fd_ctl)
{
	struct fx f;
	int32_t cat, hello, h2;
	char path[64], want[64];

	fx_init(&f);
	/* Input through fd/0, end of input by closing taskfs's end. */
	cat = newtask(&f, "/task");
	CHECK_EQ_U64(ctl(&f, cat, "ctl", "cmd /bin/cat\nstart\n"), 0);
	CHECK_EQ_U64(ctl(&f, cat, "fd/0", "hello there"), 0);
	CHECK_STR(taskrd(&f, cat, "fd/0/ctl"), "taskpipe w\n");
	CHECK_STR(taskrd(&f, cat, "fd/1/ctl"), "taskpipe r\n");
	run(&f, 20);
	CHECK_STR(taskrd(&f, cat, "fd/1"), "hello there");
	CHECK_STR(taskrd(&f, cat, "wait"), "EAGAIN");
	CHECK_EQ_U64(ctl(&f, cat, "fd/1", "x"), E_BADF);      /* the read end */
	CHECK_STR(taskrd(&f, cat, "fd/0"), "EBADF");           /* the write end */
	CHECK_EQ_U64(ctl(&f, cat, "fd/0/ctl", "close"), 0);
	CHECK_STR(taskrd(&f, cat, "fd"), "EISDIR");
	run(&f, 20);
	CHECK_STR(taskrd(&f, cat, "wait"), "exit 5\n");
	/* dup: hello's stdout into a file. */
	hello = newtask(&f, "/task");
	CHECK_EQ_U64(ctl(&f, hello, "fd/1/ctl", "dup /tmp/out"), 0);
	CHECK_EQ_U64(ctl(&f, hello, "fd/1/ctl", "dup /tmp/out q"), E_INVAL);
	CHECK_EQ_U64(ctl(&f, hello, "fd/1/ctl", "dup /nope/out"), E_NOENT);
	CHECK_EQ_U64(ctl(&f, hello, "fd/2/ctl", "dup /dev/null"), 0);
	CHECK_STR(taskrd(&f, hello, "fd/1/ctl"), "file w\n");
	CHECK_EQ_U64(ctl(&f, hello, "ctl", "cmd /bin/hello\nstart"), 0);
	run(&f, 20);
	CHECK_STR(rd(&f, "/tmp/out"), "out\n");
	/* pipe: h2's stdout into cat2's stdin. */
	h2 = newtask(&f, "/task");
	cat = newtask(&f, "/task");
	snprintf(path, sizeof path, "/task/%d/fd/0", cat);
	CHECK_EQ_U64(ctl(&f, h2, "fd/1/ctl", "pipe 999999/fd/0"), E_SRCH);
	CHECK_EQ_U64(ctl(&f, h2, "fd/1/ctl", "pipe nonsense"), E_INVAL);
	CHECK_EQ_U64(ctl(&f, h2, "fd/1/ctl", path), E_INVAL);   /* no verb */
	snprintf(want, sizeof want, "pipe %s", path);
	CHECK_EQ_U64(ctl(&f, h2, "fd/1/ctl", want), 0);
	CHECK_STR(taskrd(&f, cat, "fd/0/ctl"), "pipe r\n");
	CHECK_EQ_U64(ctl(&f, cat, "ctl", "cmd /bin/cat\nstart"), 0);
	CHECK_EQ_U64(ctl(&f, h2, "ctl", "cmd /bin/hello\nstart"), 0);
	run(&f, 50);
	CHECK_STR(taskrd(&f, cat, "fd/1"), "out\n");
	CHECK_STR(taskrd(&f, cat, "wait"), "exit 5\n");
	CHECK_STR(taskrd(&f, h2, "wait"), "exit 7\n");
	/* The output of an ended task stays readable until drained. */
	CHECK_STR(taskrd(&f, h2, "fd/2"), "err\n");
	CHECK_STR(taskrd(&f, h2, "fd/2"), "");
	CHECK_STR(taskrd(&f, h2, "fd/1"), "ESRCH");
	fx_free(&f);
}

TEST(task_signals_and_limits)
{
	struct fx f;
	int32_t id;

	fx_init(&f);
	id = newtask(&f, "/task");
	CHECK_EQ_U64(ctl(&f, id, "ctl", "cmd /bin/spin\nstart\n"), 0);
	run(&f, 3);
	CHECK(strstr(taskrd(&f, id, "status"), " ready ") != NULL);
	CHECK_EQ_U64(ctl(&f, id, "ctl", "stop"), 0);
	run(&f, 3);
	CHECK(strstr(taskrd(&f, id, "status"), " stopped ") != NULL);
	CHECK_EQ_U64(ctl(&f, id, "ctl", "cont"), 0);
	CHECK_EQ_U64(ctl(&f, id, "ctl", "nice 19"), 0);
	CHECK(strstr(taskrd(&f, id, "stat/cpu"), "nice 19") != NULL);
	CHECK_EQ_U64(ctl(&f, id, "ctl", "kill SIGTERM"), 0);
	run(&f, 3);
	CHECK_STR(taskrd(&f, id, "wait"), "signal 15 SIGTERM\n");
	CHECK_STR(taskrd(&f, id, "exitcode"), "143\n");
	/* A fuel limit ends a spinner with SIGXCPU. */
	id = newtask(&f, "/task");
	CHECK_EQ_U64(ctl(&f, id, "ctl", "fuel 100000\ncmd /bin/spin\nstart"), 0);
	run(&f, 100);
	CHECK_STR(taskrd(&f, id, "wait"), "signal 24 SIGXCPU\n");
	/* memlimit: below the program's own memory, start fails. */
	id = newtask(&f, "/task");
	CHECK_EQ_U64(ctl(&f, id, "ctl", "memlimit 64K\ncmd /bin/big\n"), 0);
	CHECK_EQ_U64(ctl(&f, id, "ctl", "start"), E_NOMEM);
	CHECK_EQ_U64(ctl(&f, id, "ctl", "memlimit 1M\nstart"), 0);
	CHECK_STR(taskrd(&f, id, "stat/mem"), "pages 4 bytes 262144 limit 1048576\n");
	run(&f, 10);
	CHECK_STR(taskrd(&f, id, "wait"), "exit 0\n");
	fx_free(&f);
}

TEST(task_stale_handles)
{
	struct fx f;
	struct fs_io io = { .nonblock = true };
	struct vnode *st, *c;
	char path[64], buf[64];
	size_t n;
	int32_t id;

	fx_init(&f);
	id = newtask(&f, "/task");
	snprintf(path, sizeof path, "/task/%d/status", id);
	CHECK_EQ_U64(fs_open(f.ns, NULL, path, strlen(path), FS_O_READ, &io, &st), 0);
	snprintf(path, sizeof path, "/task/%d/ctl", id);
	CHECK_EQ_U64(fs_open(f.ns, NULL, path, strlen(path), FS_O_WRITE, &io, &c), 0);
	CHECK_EQ_U64(vn_write(c, &io, 0, "cmd /bin/hello", 14, &n), 0);
	CHECK_EQ_U64(vn_write(c, &io, 0, "start", 5, &n), 0);
	run(&f, 20);
	CHECK_EQ_U64(vn_write(c, &io, 0, "kill", 4, &n), E_SRCH);
	CHECK_EQ_U64(vn_read(st, &io, 0, buf, sizeof buf, &n), 0);
	/* Many more tasks end: the old record is forgotten, the handle stays dead. */
	for (int i = 0; i < 70; i++) {
		int32_t t = newtask(&f, "/task");

		CHECK_EQ_U64(ctl(&f, t, "ctl", "kill"), 0);
	}
	CHECK_EQ_U64(vn_read(st, &io, 0, buf, sizeof buf, &n), E_SRCH);
	CHECK_EQ_U64(vn_write(c, &io, 0, "kill", 4, &n), E_SRCH);
	CHECK_STR(taskrd(&f, id, "wait"), "ENOENT");
	vn_close(st, FS_O_READ, &io);
	vn_close(c, FS_O_WRITE, &io);
	vn_unref(st);
	vn_unref(c);
	fx_free(&f);
}

TEST(task_views)
{
	struct fx f;
	int32_t a, b, inner;
	char path[64], buf[256];

	fx_init(&f);
	a = newtask(&f, "/task");
	b = newtask(&f, "/task");
	snprintf(path, sizeof path, "/task/%d/tree", a);
	inner = newtask(&f, path);     /* made through a's view: stays in it */
	snprintf(path, sizeof path, "/task/%d/tree/%d/status", a, a);
	CHECK(strstr(rd(&f, path), " new ") != NULL);
	snprintf(path, sizeof path, "/task/%d/tree/%d/status", a, inner);
	CHECK(strstr(rd(&f, path), " new ") != NULL);
	snprintf(path, sizeof path, "/task/%d/tree/%d/status", a, b);
	CHECK_STR(rd(&f, path), "ENOENT");
	snprintf(path, sizeof path, "/task/%d/tree/%d/fd/1/ctl", a, inner);
	snprintf(buf, sizeof buf, "pipe %d/fd/0", b);
	CHECK_EQ_U64(hwrite(&f, path, buf, strlen(buf)), E_SRCH);   /* b is not in the view */
	/* A namespace whose /task is the view sees only that. */
	snprintf(path, sizeof path, "/task/%d/ns/ctl", a);
	snprintf(buf, sizeof buf, "bind /task/%d/tree /task\nnomount", a);
	CHECK_EQ_U64(hwrite(&f, path, buf, strlen(buf)), 0);
	snprintf(path, sizeof path, "/task/%d/ns/mounts", a);
	CHECK(strstr(rd(&f, path), "/task /task/") != NULL);
	snprintf(path, sizeof path, "/task/%d/ctl", a);
	snprintf(buf, sizeof buf, "unbind /task");
	CHECK_EQ_U64(hwrite(&f, path, buf, strlen(buf)), E_PERM);   /* locked by nomount */
	snprintf(buf, sizeof buf, "mount '#task' /task");
	CHECK_EQ_U64(hwrite(&f, path, buf, strlen(buf)), E_PERM);   /* no '#task' either */
	snprintf(buf, sizeof buf, "bind /tmp /task");
	CHECK_EQ_U64(hwrite(&f, path, buf, strlen(buf)), 0);        /* more on top is fine */
	snprintf(buf, sizeof buf, "unbind /task");
	CHECK_EQ_U64(hwrite(&f, path, buf, strlen(buf)), 0);        /* and pops again */
	fx_free(&f);
}

TEST(task_ns_files)
{
	struct fx f;
	int32_t id;
	const char *s;

	fx_init(&f);
	id = newtask(&f, "/task");
	CHECK_EQ_U64(ctl(&f, id, "ns/ctl", "bind -a /tmp /bin\nmount memfs /home"), 0);
	s = taskrd(&f, id, "ns/mounts");
	CHECK(strstr(s, "/bin /tmp memfs rw,union\n") != NULL);
	CHECK(strstr(s, "/home memfs memfs rw,create\n") != NULL);
	s = taskrd(&f, id, "ns/dump");
	CHECK(strstr(s, "bind -a /tmp /bin\n") != NULL);
	CHECK(strstr(s, "mount memfs /home\n") != NULL);
	CHECK(strstr(rd(&f, "/proc"), "ENOENT") != NULL);
	/* The host's own namespace did not change. */
	CHECK_EQ_U64(fs_put(f.ns, "/tmp/t", "T", 1), 0);
	CHECK_STR(rd(&f, "/bin/t"), "ENOENT");
	CHECK_EQ_U64(ctl(&f, id, "ns/ctl", "start"), E_INVAL);   /* not an ns verb */
	CHECK_EQ_U64(ctl(&f, id, "ns/ctl", "unbind /bin"), 0);
	CHECK_EQ_U64(ctl(&f, id, "ns/ctl", "unbind /bin"), E_INVAL);
	fx_free(&f);
}

struct names {
	char buf[512];
	size_t len;
};

/* readdir: every name, "." and ".." too, joined by ' '. */
static int
collect_names(void *arg, const struct fs_dirent *d)
{
	struct names *n = arg;

	if (n->len + d->namelen + 2 < sizeof n->buf) {
		if (n->len)
			n->buf[n->len++] = ' ';
		memcpy(n->buf + n->len, d->name, d->namelen);
		n->len += d->namelen;
		n->buf[n->len] = 0;
	}
	return 0;
}

TEST(task_listing)
{
	struct fx f;
	struct names n = { 0 };
	struct vnode *v;
	struct fs_path p;
	int32_t id;
	char path[64];

	fx_init(&f);
	id = newtask(&f, "/task");
	CHECK_EQ_U64(fs_resolve(f.ns, NULL, "/task", 5, FS_FOLLOW, &p), 0);
	v = p.vn;
	CHECK(v != NULL);
	if (v) {
		CHECK_EQ_U64(vn_readdir(v, 0, collect_names, &n), 0);
		snprintf(path, sizeof path, ". .. new self %d", id);
		CHECK_STR(n.buf, path);
	}
	fs_path_release(&p);
	snprintf(path, sizeof path, "/task/%d", id);
	CHECK_EQ_U64(fs_resolve(f.ns, NULL, path, strlen(path), FS_FOLLOW, &p), 0);
	memset(&n, 0, sizeof n);
	CHECK_EQ_U64(vn_readdir(p.vn, 0, collect_names, &n), 0);
	CHECK_STR(n.buf, ". .. ctl status wait exitcode env cwd args fd ns stat tree");
	fs_path_release(&p);
	snprintf(path, sizeof path, "/task/%d/fd", id);
	CHECK_EQ_U64(fs_resolve(f.ns, NULL, path, strlen(path), FS_FOLLOW, &p), 0);
	memset(&n, 0, sizeof n);
	CHECK_EQ_U64(vn_readdir(p.vn, 0, collect_names, &n), 0);
	CHECK_STR(n.buf, ". .. 0 1 2");
	fs_path_release(&p);
	/* self is the caller's task: the host has none. */
	CHECK_STR(rd(&f, "/task/self/status"), "ENOENT");
	fx_free(&f);
}

TEST(cap_pipes)
{
	struct fx f;
	struct fs_io io = { .nonblock = true };
	struct vnode *w, *r;
	char path[64], buf[32];
	size_t n;
	long long id;

	fx_init(&f);
	CHECK_EQ_U64(hread(&f, "/cap/new/pipe", buf, sizeof buf), 0);
	id = atoll(buf);
	CHECK(id > 0);
	snprintf(path, sizeof path, "/cap/%lld/w", id);
	CHECK_EQ_U64(fs_open(f.ns, NULL, path, strlen(path), FS_O_READ, &io, &w), E_ACCES);
	CHECK_EQ_U64(fs_open(f.ns, NULL, path, strlen(path), FS_O_WRITE, &io, &w), 0);
	snprintf(path, sizeof path, "/cap/%lld/r", id);
	CHECK_EQ_U64(fs_open(f.ns, NULL, path, strlen(path), FS_O_READ, &io, &r), 0);
	CHECK_EQ_U64(vn_read(r, &io, 0, buf, sizeof buf, &n), E_AGAIN);
	CHECK_EQ_U64(vn_write(w, &io, 0, "ping", 4, &n), 0);
	CHECK_EQ_U64(vn_read(r, &io, 0, buf, sizeof buf, &n), 0);
	CHECK_EQ_U64(n, 4);
	vn_close(w, FS_O_WRITE, &io);
	vn_unref(w);
	CHECK_EQ_U64(vn_read(r, &io, 0, buf, sizeof buf, &n), 0);
	CHECK_EQ_U64(n, 0);     /* the last writer closed: end of file */
	vn_close(r, FS_O_READ, &io);
	vn_unref(r);
	snprintf(path, sizeof path, "/cap/%lld", id);
	CHECK_STR(rd(&f, path), "ENOENT");    /* both ends closed: gone */
	CHECK_STR(rd(&f, "/cap/1/r"), "ENOENT");
	CHECK_STR(rd(&f, "/cap/new/nope"), "ENOENT");
	fx_free(&f);
}

/* ---- warren_v1 bind, unbind, mount, rfork (src/abi/ns.c) ---------------------------- */

#define W(name, sig) "(import \"warren_v1\" \"" name "\" (func $" name " " sig "))\n"

/* Exits with the number of the first step that answered wrong, 0 if none. */
static const char nscalls_wat[] =
	"(module\n"
	W("bind", "(param i32 i32 i32 i32 i32) (result i32)")
	W("unbind", "(param i32 i32 i32 i32) (result i32)")
	W("mount", "(param i32 i32 i32 i32 i32) (result i32)")
	W("rfork", "(param i32 i32) (result i32)")
	W("waitpid", "(param i32 i32 i32 i32) (result i32)")
	WG_WASI("proc_exit", "(param i32)")
	"(memory (export \"memory\") 1)\n"
	"(data (i32.const 100) \"/tmp\") (data (i32.const 110) \"/bin\")\n"
	"(data (i32.const 120) \"memfs\") (data (i32.const 130) \"/home\")\n"
	"(data (i32.const 140) \"#task\") (data (i32.const 150) \"tmp\")\n"
	"(func $want (param $got i32) (param $want i32) (param $step i32)\n"
	"  (if (i32.ne (local.get $got) (local.get $want)) (then (call $proc_exit (local.get $step)))))\n"
	"(func $reap (param $step i32) (param $status i32)\n"
	"  (call $want (call $waitpid (i32.load (i32.const 200)) (i32.const 0) (i32.const 204)\n"
	"    (i32.const 208)) (i32.const 0) (local.get $step))\n"
	"  (call $want (i32.load (i32.const 204)) (local.get $status) (i32.add (local.get $step) (i32.const 1))))\n"
	"(func (export \"_start\")\n"
	/* bind -a /tmp /bin; bad flags; a bad pointer; unbind; unbind of nothing */
	"  (call $want (call $bind (i32.const 100) (i32.const 4) (i32.const 110) (i32.const 4) (i32.const 2)) (i32.const 0) (i32.const 1))\n"
	"  (call $want (call $bind (i32.const 100) (i32.const 4) (i32.const 110) (i32.const 4) (i32.const 3)) (i32.const 28) (i32.const 2))\n"
	"  (call $want (call $bind (i32.const 100) (i32.const 4) (i32.const 110) (i32.const 4) (i32.const 8)) (i32.const 28) (i32.const 3))\n"
	"  (call $want (call $bind (i32.const 65530) (i32.const 100) (i32.const 110) (i32.const 4) (i32.const 0)) (i32.const 21) (i32.const 4))\n"
	"  (call $want (call $unbind (i32.const 100) (i32.const 4) (i32.const 110) (i32.const 4)) (i32.const 0) (i32.const 5))\n"
	"  (call $want (call $unbind (i32.const 0) (i32.const 0) (i32.const 110) (i32.const 4)) (i32.const 28) (i32.const 6))\n"
	/* a relative path resolves from the working directory (/) */
	"  (call $want (call $bind (i32.const 150) (i32.const 3) (i32.const 110) (i32.const 4) (i32.const 0)) (i32.const 0) (i32.const 7))\n"
	"  (call $want (call $unbind (i32.const 0) (i32.const 0) (i32.const 110) (i32.const 4)) (i32.const 0) (i32.const 8))\n"
	/* mount */
	"  (call $want (call $mount (i32.const 120) (i32.const 5) (i32.const 130) (i32.const 5) (i32.const 0)) (i32.const 0) (i32.const 9))\n"
	"  (call $want (call $mount (i32.const 140) (i32.const 5) (i32.const 130) (i32.const 5) (i32.const 1)) (i32.const 0) (i32.const 10))\n"
	"  (call $want (call $mount (i32.const 110) (i32.const 4) (i32.const 130) (i32.const 5) (i32.const 0)) (i32.const 44) (i32.const 11))\n"
	"  (drop (call $unbind (i32.const 0) (i32.const 0) (i32.const 130) (i32.const 5)))\n"
	"  (drop (call $unbind (i32.const 0) (i32.const 0) (i32.const 130) (i32.const 5)))\n"
	/* rfork sharing: the child's bind is the parent's too */
	"  (call $want (call $rfork (i32.const 1) (i32.const 200)) (i32.const 0) (i32.const 20))\n"
	"  (if (i32.eqz (i32.load (i32.const 200))) (then (call $proc_exit\n"
	"    (call $bind (i32.const 100) (i32.const 4) (i32.const 130) (i32.const 5) (i32.const 0)))))\n"
	"  (call $reap (i32.const 21) (i32.const 0))\n"
	"  (call $want (call $unbind (i32.const 0) (i32.const 0) (i32.const 130) (i32.const 5)) (i32.const 0) (i32.const 23))\n"
	/* rfork copying (the default): it is the child's alone */
	"  (call $want (call $rfork (i32.const 0) (i32.const 200)) (i32.const 0) (i32.const 30))\n"
	"  (if (i32.eqz (i32.load (i32.const 200))) (then (call $proc_exit\n"
	"    (call $bind (i32.const 100) (i32.const 4) (i32.const 130) (i32.const 5) (i32.const 0)))))\n"
	"  (call $reap (i32.const 31) (i32.const 0))\n"
	"  (call $want (call $unbind (i32.const 0) (i32.const 0) (i32.const 130) (i32.const 5)) (i32.const 28) (i32.const 33))\n"
	/* rfork nomount: the child may not mount #task (EPERM = 63), the parent still may */
	"  (call $want (call $rfork (i32.const 2) (i32.const 200)) (i32.const 0) (i32.const 40))\n"
	"  (if (i32.eqz (i32.load (i32.const 200))) (then (call $proc_exit\n"
	"    (call $mount (i32.const 140) (i32.const 5) (i32.const 130) (i32.const 5) (i32.const 0)))))\n"
	"  (call $reap (i32.const 41) (i32.const 16128))\n"
	"  (call $want (call $mount (i32.const 140) (i32.const 5) (i32.const 130) (i32.const 5) (i32.const 0)) (i32.const 0) (i32.const 43))\n"
	"  (call $want (call $rfork (i32.const 3) (i32.const 200)) (i32.const 28) (i32.const 44))\n"
	"  (call $want (call $rfork (i32.const 0) (i32.const 65534)) (i32.const 21) (i32.const 45))\n"
	"  (call $proc_exit (i32.const 0))))\n";

TEST(ns_abi_calls)
{
	struct fx f;
	int32_t id;

	fx_init(&f);
	install(&f, "/bin/nscalls", nscalls_wat);
	id = newtask(&f, "/task");
	CHECK_EQ_U64(ctl(&f, id, "ctl", "cmd /bin/nscalls\nstart"), 0);
	run(&f, 200);
	CHECK_STR(taskrd(&f, id, "wait"), "exit 0\n");
	fx_free(&f);
}

/* ---- the host's view: wr_task_table (include/warren.h) -------------------------------- */

#include "warren.h"

TEST(task_table_for_the_host)
{
	wr_Config cfg = { .seed = 3 };
	wr_System *sys = NULL;
	size_t len = 0, wasm_len = 0;
	uint8_t *wasm = kt_wat(spin_wat, &wasm_len);
	wr_Spawn sp = { .bytes = wasm, .len = wasm_len, .name = "spin" };
	char buf[1024], small[8], want[64];
	int32_t pid = 0;
	wr_Event ev;

	CHECK_EQ_I64(wr_system_new(&cfg, &sys, NULL, 0), WR_OK);
	CHECK_EQ_I64(wr_spawn(sys, &sp, &pid), WR_OK);
	CHECK_EQ_I64(wr_step(sys, 100000, &ev), WR_OK);
	CHECK_EQ_I64(wr_task_table(sys, buf, sizeof buf, &len), WR_OK);
	CHECK_EQ_U64(strlen(buf), len);
	CHECK(!strncmp(buf, "PID PPID PGID STATE FUEL MEM NAME\n", 34));
	snprintf(want, sizeof want, "\n%d 0 %d ", pid, pid);
	CHECK(strstr(buf, want) != NULL);
	CHECK(strstr(buf, " spin\n") != NULL);
	CHECK_EQ_I64(wr_task_table(sys, small, sizeof small, &len), WR_ENOMEM);
	CHECK(len > sizeof small);
	CHECK_EQ_I64(wr_task_table(sys, NULL, 0, &len), WR_ENOMEM);
	CHECK_EQ_I64(wr_task_table(NULL, buf, sizeof buf, &len), WR_EARG);
	wr_kill(sys, pid, 9);
	wr_system_free(sys);
	free(wasm);
}
