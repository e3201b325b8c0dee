/* var.c - shell variables, special parameters and positional parameters.
 *
 * Variables live in a small chained hash table.  Special parameters ($?,
 * $$, $!, $#, $-, $0..$9) are computed on lookup into one static buffer,
 * which is why var_get's result is only valid until the next call.
 */
#define _GNU_SOURCE
#include "sh.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct var {
	char *name, *value;
	int exported, readonly;
	struct var *next;
};

#define NBUCKET 64
static struct var *vars[NBUCKET];
static int nvars;

struct params params;
char *arg0;

static unsigned
hash(const char *s, size_t n)
{
	unsigned h = 5381;
	for (size_t i = 0; i < n; i++)
		h = h * 33 + (unsigned char)s[i];
	return h % NBUCKET;
}

static struct var *
lookup(const char *name, size_t n)
{
	for (struct var *v = vars[hash(name, n)]; v; v = v->next)
		if (strlen(v->name) == n && memcmp(v->name, name, n) == 0)
			return v;
	return NULL;
}

static struct var *
create(const char *name, size_t n)
{
	struct var *v = lookup(name, n);
	if (v)
		return v;
	v = xmalloc(sizeof *v);
	memset(v, 0, sizeof *v);
	v->name = xstrndup(name, n);
	unsigned h = hash(name, n);
	v->next = vars[h];
	vars[h] = v;
	nvars++;
	return v;
}

int
is_name(const char *s, size_t n)
{
	if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
			return 0;
	return 1;
}

size_t
assign_name_len(const char *s)
{
	const char *eq = strchr(s, '=');
	if (!eq || !is_name(s, (size_t)(eq - s)))
		return 0;
	return (size_t)(eq - s);
}

void
var_init(char **envp)
{
	for (; envp && *envp; envp++) {
		size_t n = assign_name_len(*envp);
		if (!n)
			continue;
		struct var *v = create(*envp, n);
		free(v->value);
		v->value = xstrdup(*envp + n + 1);
		v->exported = 1;
	}
	static const char *const defaults[][2] = {
		{ "IFS", " \t\n" }, { "PS1", "$ " }, { "PS2", "> " },
		{ "PS4", "+ " }, { "PATH", "/bin" },
	};
	for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
		if (!lookup(defaults[i][0], strlen(defaults[i][0])))
			var_set(defaults[i][0], defaults[i][1], 0);
}

/* The flags as $- shows them. */
static void
flags_string(char *buf)
{
	static const struct { char c; size_t off; } flags[] = {
		{ 'e', offsetof(struct shell, errexit) },
		{ 'i', offsetof(struct shell, interactive) },
		{ 'm', offsetof(struct shell, monitor) },
		{ 'n', offsetof(struct shell, noexec) },
		{ 'u', offsetof(struct shell, nounset) },
		{ 'v', offsetof(struct shell, verbose) },
		{ 'x', offsetof(struct shell, xtrace) },
	};
	for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
		if (*(int *)((char *)&sh + flags[i].off))
			*buf++ = flags[i].c;
	*buf = 0;
}

const char *
var_get(const char *name)
{
	static char buf[32];
	if (name[0] && !name[1]) {
		switch (name[0]) {
		case '?': snprintf(buf, sizeof buf, "%d", sh.status); return buf;
		case '$': snprintf(buf, sizeof buf, "%ld", (long)sh.pid); return buf;
		case '#': snprintf(buf, sizeof buf, "%d", params.n); return buf;
		case '-': flags_string(buf); return buf;
		case '!':
			if (!sh.last_bg)
				return NULL;
			snprintf(buf, sizeof buf, "%ld", (long)sh.last_bg);
			return buf;
		case '0': return arg0;
		default: break;
		}
	}
	if (isdigit((unsigned char)name[0])) {
		long i = strtol(name, NULL, 10);
		return i >= 1 && i <= params.n ? params.v[i - 1] : NULL;
	}
	struct var *v = lookup(name, strlen(name));
	return v ? v->value : NULL;
}

int
var_set(const char *name, const char *value, int exported)
{
	struct var *v = create(name, strlen(name));
	if (v->readonly) {
		sh_error("%s: is read only", name);
		return -1;
	}
	char *old = v->value;
	v->value = xstrdup(value);
	free(old);
	if (exported)
		v->exported = 1;
	return 0;
}

int
var_unset(const char *name)
{
	size_t n = strlen(name);
	struct var **pp = &vars[hash(name, n)];
	for (; *pp; pp = &(*pp)->next) {
		struct var *v = *pp;
		if (strcmp(v->name, name) != 0)
			continue;
		if (v->readonly) {
			sh_error("%s: is read only", name);
			return -1;
		}
		*pp = v->next;
		free(v->name);
		free(v->value);
		free(v);
		nvars--;
		return 0;
	}
	return 0;
}

void
var_export(const char *name)
{
	create(name, strlen(name))->exported = 1;
}

int
var_readonly(const char *name)
{
	create(name, strlen(name))->readonly = 1;
	return 0;
}

char **
var_environ(char **extra, int nextra)
{
	char **envp = xmalloc((size_t)(nvars + nextra + 1) * sizeof *envp);
	int n = 0;
	for (int b = 0; b < NBUCKET; b++)
		for (struct var *v = vars[b]; v; v = v->next) {
			if (!v->exported || !v->value)
				continue;
			int overridden = 0;
			for (int i = 0; i < nextra; i++)
				if (assign_name_len(extra[i]) == strlen(v->name) &&
				    strncmp(extra[i], v->name, strlen(v->name)) == 0)
					overridden = 1;
			if (overridden)
				continue;
			size_t ln = strlen(v->name), lv = strlen(v->value);
			char *s = xmalloc(ln + lv + 2);
			memcpy(s, v->name, ln);
			s[ln] = '=';
			memcpy(s + ln + 1, v->value, lv + 1);
			envp[n++] = s;
		}
	for (int i = 0; i < nextra; i++)
		envp[n++] = xstrdup(extra[i]);
	envp[n] = NULL;
	return envp;
}

void
envp_free(char **envp)
{
	for (char **e = envp; e && *e; e++)
		free(*e);
	free(envp);
}

static int
cmp_var(const void *a, const void *b)
{
	return strcmp((*(struct var *const *)a)->name, (*(struct var *const *)b)->name);
}

/* Single quotes make the output re-readable by the shell. */
static void
print_quoted(const char *s)
{
	putchar('\'');
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*s);
	}
	putchar('\'');
}

void
var_print(int exported_only)
{
	struct var **all = xmalloc((size_t)(nvars + 1) * sizeof *all);
	int n = 0;
	for (int b = 0; b < NBUCKET; b++)
		for (struct var *v = vars[b]; v; v = v->next)
			if (!exported_only || v->exported)
				all[n++] = v;
	qsort(all, (size_t)n, sizeof *all, cmp_var);
	for (int i = 0; i < n; i++) {
		if (exported_only)
			printf("export %s", all[i]->name);
		else
			printf("%s", all[i]->name);
		if (all[i]->value) {
			putchar('=');
			print_quoted(all[i]->value);
		}
		putchar('\n');
	}
	free(all);
}

void
var_set_temp(struct var_save **save, const char *name, const char *value)
{
	struct var_save *s = xmalloc(sizeof *s);
	struct var *v = lookup(name, strlen(name));
	s->name = xstrdup(name);
	s->value = v && v->value ? xstrdup(v->value) : NULL;
	s->exported = v ? v->exported : 0;
	s->next = *save;
	*save = s;
	var_set(name, value, 1);        /* readonly: said so, value kept */
}

void
var_restore(struct var_save *save)
{
	while (save) {
		struct var_save *s = save;
		save = s->next;
		if (s->value) {
			var_set(s->name, s->value, 0);
			struct var *v = lookup(s->name, strlen(s->name));
			if (v)
				v->exported = s->exported;
		} else {
			var_unset(s->name);
		}
		free(s->name);
		free(s->value);
		free(s);
	}
}

static char **
copy_args(int argc, char **argv)
{
	char **v = xmalloc((size_t)(argc + 1) * sizeof *v);
	for (int i = 0; i < argc; i++)
		v[i] = xstrdup(argv[i]);
	v[argc] = NULL;
	return v;
}

static void
free_params(struct params p)
{
	for (int i = 0; i < p.n; i++)
		free(p.v[i]);
	free(p.v);
}

void
params_set(int argc, char **argv)
{
	char **v = copy_args(argc, argv);   /* argv may point into params */
	free_params(params);
	params.v = v;
	params.n = argc;
}

struct params
params_push(int argc, char **argv)
{
	struct params old = params;
	params.v = copy_args(argc, argv);
	params.n = argc;
	return old;
}

void
params_pop(struct params old)
{
	free_params(params);
	params = old;
}
