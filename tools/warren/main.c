/*
 * warren - the command-line tool.  It includes only <warren.h>: anything it
 * can do, an embedder can do through the public API.
 *
 *   warren check FILE.wasm
 *   warren call [--fuel N] [--slice N] [--max-pages N] [--stats] FILE.wasm EXPORT [ARG...]
 *   warren run|sh ... (run.c), warren ps (ps.c), warren trace (trace.c)
 *
 * Exit status: 0 success; 1 the program trapped, ran out of fuel or exited
 * non-zero; 2 bad usage or a module that does not load.
 */
#define _POSIX_C_SOURCE 200809L
#include <warren.h>

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

#define EXIT_FAIL 1
#define EXIT_USAGE 2
#define MAX_VALUES 64
#define MAX_MODULE (1u << 30)

static const char *prog = "warren";

static const char usage_text[] =
	"usage: warren COMMAND [ARGS]\n"
	"\n"
	"commands:\n"
	"  check FILE.wasm          decode and validate a module; list its exports\n"
	"  call [OPTIONS] FILE.wasm EXPORT [ARG...]\n"
	"                           run an exported function; ARGs are parsed by\n"
	"                           its signature, results are printed one a line\n"
	"    --fuel N               stop with an error after N instructions\n"
	"    --slice N              run in slices of N instructions (suspend and\n"
	"                           resume between them)\n"
	"    --max-pages N          limit linear memory to N 64 KiB pages\n"
	"    --stats                print instructions executed and slices run\n"
	"  run [OPTIONS] PROG.wasm [ARG...]\n"
	"                           run a WASI program as a process with the host's\n"
	"                           stdio; exits with its status (128+N if killed by\n"
	"                           signal N)\n"
	"  sh [OPTIONS] [-c CMD | SCRIPT [ARG...]]\n"
	"                           the shell (/bin/sh), interactive on a terminal\n"
	"    --mount HOST:GUEST[:ro] --env K=V --fuel N --mem PAGES --procs N\n"
	"    --seed N --cwd DIR     options of run and sh\n"
	"  ps [HOSTPID...]          the process tables (/task) of running warrens\n"
	"  trace [-o FILE] [--syscalls] [OPTIONS] PROG.wasm|sh [ARG...]\n"
	"                           run or sh on a deterministic system; write its\n"
	"                           processes as a Chrome trace (Perfetto) to FILE\n"
	"                           (default trace.json)\n"
	"\n"
	"  --help                   this text\n"
	"  --version                the version\n"
	"\n"
	"exit status: 0 ok, 1 trap / out of fuel / exit, 2 usage or bad module\n";

/* Read a whole file; NULL (message printed) on failure. */
static uint8_t *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL, *nb;
	size_t cap = 0, n = 0, got;

	if (!f) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			if (cap > MAX_MODULE) {
				fprintf(stderr, "%s: %s: file too large\n", prog,
				    path);
				goto bad;
			}
			nb = realloc(buf, cap);
			if (!nb) {
				fprintf(stderr, "%s: %s: out of memory\n", prog,
				    path);
				goto bad;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "%s: %s: read error\n", prog, path);
		goto bad;
	}
	fclose(f);
	*len = n;
	return buf;
bad:
	free(buf);
	fclose(f);
	return NULL;
}

/* Load a module; prints "warren: FILE: message" on failure. */
static wr_Module *
load(const char *path)
{
	char err[256];
	wr_Module *mod = NULL;
	uint8_t *bytes;
	size_t len = 0;
	int rc;

	bytes = read_file(path, &len);
	if (!bytes)
		return NULL;
	rc = wr_module_load(bytes, len, &mod, err, sizeof err);
	free(bytes);
	if (rc != WR_OK)
		fprintf(stderr, "%s: %s: %s: %s\n", prog, path, wr_errmsg(rc),
		    err);
	return mod;
}

static int
cmd_check(int argc, char **argv)
{
	wr_Module *mod;
	const char *name, *kind;
	char sig[128];
	size_t i;

	if (argc != 1) {
		fprintf(stderr, "usage: warren check FILE.wasm\n");
		return EXIT_USAGE;
	}
	mod = load(argv[0]);
	if (!mod)
		return EXIT_USAGE;
	printf("%s: ok\n", argv[0]);
	for (i = 0; wr_module_export(mod, i, &name, &kind) == WR_OK; i++) {
		if (strcmp(kind, "func") == 0 &&
		    wr_module_export_sig(mod, name, sig, sizeof sig) == WR_OK)
			printf("  func %s %s\n", name, sig);
		else
			printf("  %s %s\n", kind, name);
	}
	wr_module_free(mod);
	return 0;
}

/* Parse a non-negative count option. */
static int
parse_count(const char *opt, const char *s, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 0);
	if (errno || end == s || *end || v < 0) {
		fprintf(stderr, "%s: %s: bad number '%s'\n", prog, opt, s);
		return -1;
	}
	*out = v;
	return 0;
}

/*
 * Parse `s` as a value of signature letter `t`.  Integers accept signed and
 * unsigned spellings (so 0xffffffff is a valid i32); floats take what strtod
 * takes (inf, nan, hex floats).
 */
static int
parse_value(char t, const char *s, wr_Value *v)
{
	char *end = NULL;

	errno = 0;
	memset(v, 0, sizeof *v);
	switch (t) {
	case 'i': {
		long long x = strtoll(s, &end, 0);

		if (x < INT32_MIN || x > (long long)UINT32_MAX)
			errno = ERANGE;
		v->type = WR_I32;
		v->u.i32 = (int32_t)(uint32_t)x;
		break;
	}
	case 'I':
		v->type = WR_I64;
		if (s[0] == '-')
			v->u.i64 = strtoll(s, &end, 0);
		else
			v->u.i64 = (int64_t)strtoull(s, &end, 0);
		break;
	case 'f':
		v->type = WR_F32;
		v->u.f32 = strtof(s, &end);
		errno = 0;      /* underflow to a denormal or 0 is fine */
		break;
	case 'F':
		v->type = WR_F64;
		v->u.f64 = strtod(s, &end);
		errno = 0;
		break;
	case 'r':
	case 'x':
		v->type = t == 'r' ? WR_FUNCREF : WR_EXTERNREF;
		if (strcmp(s, "null") == 0) {
			end = (char *)s + 4;
		} else if (t == 'x') {
			v->u.ref = strtoull(s, &end, 0);
		}
		break;
	default:
		return -1;
	}
	if (errno || !end || end == s || *end)
		return -1;
	return 0;
}

static void
print_value(const wr_Value *v)
{
	uint64_t bits = 0;

	switch (v->type) {
	case WR_I32:
		printf("%" PRId32 "\n", v->u.i32);
		break;
	case WR_I64:
		printf("%" PRId64 "\n", v->u.i64);
		break;
	case WR_F32:
		if (isnan(v->u.f32)) {
			memcpy(&bits, &v->u.f32, 4);
			printf("nan:0x%08" PRIx64 "\n", bits);
		} else {
			printf("%.9g\n", (double)v->u.f32);
		}
		break;
	case WR_F64:
		if (isnan(v->u.f64)) {
			memcpy(&bits, &v->u.f64, 8);
			printf("nan:0x%016" PRIx64 "\n", bits);
		} else {
			printf("%.17g\n", v->u.f64);
		}
		break;
	default:
		if (v->u.ref)
			printf("ref:0x%" PRIx64 "\n", v->u.ref);
		else
			printf("ref:null\n");
		break;
	}
}

struct call_opts {
	int64_t fuel;           /* < 0: unlimited */
	int64_t slice;          /* 0: one run */
	int64_t max_pages;
	int stats;
};

/* Run the started call to its end under the options; returns exit status. */
static int
run_call(wr_Instance *inst, const char *file, const char *export,
	 const struct call_opts *o)
{
	wr_Value res[MAX_VALUES];
	int64_t total = 0, used, budget;
	uint64_t slices = 0;
	size_t i, n;
	int rc;

	for (;;) {
		budget = o->slice > 0 ? o->slice : -1;
		if (o->fuel >= 0) {
			int64_t left = o->fuel - total;

			if (left <= 0) {
				fprintf(stderr, "%s: %s: %s: out of fuel after "
				    "%" PRId64 " instructions\n", prog, file,
				    export, total);
				return EXIT_FAIL;
			}
			if (budget < 0 || left < budget)
				budget = left;
		}
		rc = wr_run(inst, budget, &used);
		total += used;
		slices++;
		if (rc != WR_YIELD && rc != WR_STOP)
			break;
	}
	if (o->stats)
		fprintf(stderr, "%s: %" PRId64 " instructions in %" PRIu64
		    " slice%s\n", prog, total, slices, slices == 1 ? "" : "s");
	switch (rc) {
	case WR_OK:
		n = wr_nresults(inst);
		if (n > MAX_VALUES || wr_results(inst, res, n) != WR_OK) {
			fprintf(stderr, "%s: %s: %s: cannot read results\n",
			    prog, file, export);
			return EXIT_FAIL;
		}
		for (i = 0; i < n; i++)
			print_value(&res[i]);
		return 0;
	case WR_TRAP:
		fprintf(stderr, "%s: %s: %s: trap: %s\n", prog, file, export,
		    wr_trap_message(inst));
		return EXIT_FAIL;
	case WR_EXIT:
		fprintf(stderr, "%s: %s: %s: exited with status %" PRId32 "\n",
		    prog, file, export, wr_exit_status(inst));
		return wr_exit_status(inst) ? EXIT_FAIL : 0;
	default:
		fprintf(stderr, "%s: %s: %s: %s\n", prog, file, export,
		    wr_errmsg(rc));
		return EXIT_FAIL;
	}
}

static int
cmd_call(int argc, char **argv)
{
	struct call_opts o = { .fuel = -1, .slice = 0, .max_pages = 0 };
	wr_Module *mod = NULL;
	wr_Instance *inst = NULL;
	wr_Value args[MAX_VALUES];
	char sig[MAX_VALUES * 2 + 4], err[256];
	const char *file, *export, *colon;
	size_t nargs, i;
	int rc, status = EXIT_USAGE;

	while (argc > 0 && strncmp(argv[0], "--", 2) == 0) {
		int64_t *dst = NULL;

		if (strcmp(argv[0], "--stats") == 0) {
			o.stats = 1;
			argc--, argv++;
			continue;
		}
		if (strcmp(argv[0], "--fuel") == 0)
			dst = &o.fuel;
		else if (strcmp(argv[0], "--slice") == 0)
			dst = &o.slice;
		else if (strcmp(argv[0], "--max-pages") == 0)
			dst = &o.max_pages;
		if (!dst || argc < 2) {
			fprintf(stderr, "%s: call: bad option '%s'\n%s", prog,
			    argv[0], usage_text);
			return EXIT_USAGE;
		}
		if (parse_count(argv[0], argv[1], dst) < 0)
			return EXIT_USAGE;
		argc -= 2, argv += 2;
	}
	if (o.max_pages > 65536) {
		fprintf(stderr, "%s: --max-pages: at most 65536\n", prog);
		return EXIT_USAGE;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: warren call [OPTIONS] FILE.wasm EXPORT "
		    "[ARG...]\n");
		return EXIT_USAGE;
	}
	file = argv[0];
	export = argv[1];
	mod = load(file);
	if (!mod)
		return EXIT_USAGE;
	rc = wr_module_export_sig(mod, export, sig, sizeof sig);
	if (rc != WR_OK) {
		fprintf(stderr, "%s: %s: %s: %s\n", prog, file, export,
		    rc == WR_ENOENT ? "no such exported function"
		    : "signature too long");
		goto out;
	}
	colon = strchr(sig, ':');
	nargs = (size_t)(colon - sig);
	if ((size_t)argc - 2 != nargs) {
		fprintf(stderr, "%s: %s: %s takes %zu argument%s (%s), got %d\n",
		    prog, file, export, nargs, nargs == 1 ? "" : "s", sig,
		    argc - 2);
		goto out;
	}
	for (i = 0; i < nargs; i++)
		if (parse_value(sig[i], argv[2 + i], &args[i]) < 0) {
			fprintf(stderr, "%s: %s: argument %zu: '%s' is not a "
			    "valid %c value (signature %s)\n", prog, export,
			    i + 1, argv[2 + i], sig[i], sig);
			goto out;
		}
	rc = wr_instance_new(mod, NULL, 0, (uint32_t)o.max_pages, &inst, err,
	    sizeof err);
	if (rc != WR_OK) {
		fprintf(stderr, "%s: %s: %s: %s\n", prog, file, wr_errmsg(rc),
		    err);
		status = rc == WR_TRAP ? EXIT_FAIL : EXIT_USAGE;
		goto out;
	}
	rc = wr_call_start(inst, export, args, nargs);
	if (rc != WR_OK) {
		fprintf(stderr, "%s: %s: %s: %s\n", prog, file, export,
		    wr_errmsg(rc));
		goto out;
	}
	status = run_call(inst, file, export, &o);
out:
	wr_instance_free(inst);
	wr_module_free(mod);
	return status;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "check", cmd_check },
	{ "call", cmd_call },
	{ "run", cmd_run },
	{ "sh", cmd_sh },
	{ "ps", cmd_ps },
	{ "trace", cmd_trace },
};

int
main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("warren %s\n", wr_version());
		return 0;
	}
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 2, argv + 2);
	fprintf(stderr, "%s: unknown command '%s'\n%s", prog, argv[1],
	    usage_text);
	return EXIT_USAGE;
}
