/* sh.h - the parts of warren's shell and the contracts between them.
 *
 * The shell is one program: guest/bin/sh.c (main, input, shell state) and
 * the files in guest/bin/sh/: parse.c turns text into a tree of nodes,
 * expand.c turns words into fields, exec.c walks the tree, jobs.c keeps
 * the job table, var.c the variables, builtin.c and test.c the builtin
 * commands, util.c memory.
 *
 * Memory: parse trees live in an arena freed after the command they came
 * from has run (a function definition keeps its arena for good).  Every
 * other string is malloc'd and owned as each contract says.  Allocation
 * failure ends the shell with status 2 and a message (xmalloc): a guest
 * shell has no way to continue half-built.
 */
#ifndef SH_H
#define SH_H

#include <stddef.h>
#include <sys/types.h>

/* ---- memory */

struct arena {
	struct chunk *head;
	int pinned;             /* holds a function body: never freed */
};

void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Allocate n zeroed bytes that live as long as a. */
void *arena_alloc(struct arena *a, size_t n);
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* Free everything allocated from a (nothing if it is pinned). */
void arena_free(struct arena *a);

/* A growable string. */
struct str {
	char *s;
	size_t n, cap;
};
void str_addc(struct str *b, char c);
void str_addn(struct str *b, const char *s, size_t n);
void str_adds(struct str *b, const char *s);
/* The string, NUL-terminated; owned by b. */
char *str_cstr(struct str *b);

/* ---- the tree */

enum redir_kind { R_IN, R_OUT, R_APPEND, R_CLOBBER, R_RDWR, R_DUPIN, R_DUPOUT,
	R_HEREDOC };

struct redir {
	enum redir_kind kind;
	int fd;                 /* the descriptor redirected */
	char *word;             /* raw target word (or heredoc delimiter) */
	char *body;             /* heredoc body, raw */
	int quoted;             /* heredoc delimiter was quoted: no expansion */
	int strip_tabs;         /* <<- */
	struct redir *next;
};

struct word {
	char *text;             /* raw: quotes and expansions still in it */
	struct word *next;
};

struct case_item {
	struct word *pats;
	struct node *body;
	struct case_item *next;
};

enum node_kind { N_SIMPLE, N_PIPE, N_AND, N_OR, N_SEQ, N_BG, N_NOT, N_IF,
	N_WHILE, N_UNTIL, N_FOR, N_CASE, N_GROUP, N_SUBSHELL, N_FUNC };

struct node {
	enum node_kind kind;
	struct redir *redirs;
	struct word *assigns;   /* N_SIMPLE */
	struct word *words;     /* N_SIMPLE argv; N_FOR list; N_CASE subject */
	struct node *a, *b, *c; /* operands: if(a) then b else c, a && b, ... */
	struct node **cmds;     /* N_PIPE */
	int ncmds;
	int has_in;             /* N_FOR: "in" was given */
	char *name;             /* N_FOR variable, N_FUNC name */
	char *text;             /* source text of a pipeline or and-or list */
	struct case_item *items;
	struct arena *arena;    /* N_FUNC: the arena its body lives in */
	int line;
};

/* ---- parsing */

enum parse_status { P_OK, P_EMPTY, P_EOF, P_INCOMPLETE, P_ERROR };

struct parser;

/* Parse the next complete command from buf[*pos..len) into a tree
 * allocated from a.  more != 0 says the caller can supply more text, so
 * running out mid-command is P_INCOMPLETE (nothing consumed) rather than
 * a syntax error.  On P_OK *out is the tree and *pos moves past it;
 * P_EMPTY is a blank or comment line (consumed); P_EOF is the end; on
 * P_ERROR a message has been printed and *pos moved to the next line. */
enum parse_status parse_command(struct arena *a, const char *buf, size_t len,
	size_t *pos, int more, int *line, const char *name, struct node **out);

/* ---- expansion */

struct fields {
	char **v;
	int n, cap;
};
void fields_add(struct fields *f, char *s);
/* Free the strings and the vector. */
void fields_free(struct fields *f);

enum { EX_SPLIT = 1, EX_GLOB = 2, EX_PATTERN = 4, EX_TILDE = 8,
	EX_HEREDOC = 16 };

/* Expand a raw word into fields appended to out (split and globbed as
 * flags say).  Returns 0, or -1 after printing an error (the command must
 * then fail: an unset ${x?}, a bad substitution, an arithmetic error). */
int expand_word(const char *raw, int flags, struct fields *out);
/* Expand to one string (no splitting or globbing): assignments,
 * redirection targets, heredoc bodies, case subjects.  EX_PATTERN keeps
 * quoted pattern characters escaped.  Returns a malloc'd string or NULL
 * on error (message printed). */
char *expand_str(const char *raw, int flags);
/* Evaluate an arithmetic expression (already expanded text).  Returns 0
 * and *v, or -1 after printing an error. */
int arith_eval(const char *s, long *v);
/* Run text as a command substitution and return its output without
 * trailing newlines (malloc'd), setting $? to its status. */
char *command_subst(const char *text);
/* Apply the pattern pat (fnmatch syntax) to s. */
int pattern_match(const char *pat, const char *s);

/* ---- variables */

void var_init(char **envp);
/* The value of a variable or special parameter, or NULL if unset.  The
 * string is owned by the shell and valid until the variable changes. */
const char *var_get(const char *name);
/* Set a variable (copies both).  Returns -1 with a message if readonly. */
int var_set(const char *name, const char *value, int exported);
int var_unset(const char *name);
void var_export(const char *name);
int var_readonly(const char *name);
/* The environment for a child: exported variables, then extra
 * "NAME=value" strings overriding them.  Caller frees with envp_free. */
char **var_environ(char **extra, int nextra);
void envp_free(char **envp);
/* Print "export NAME='value'" lines (exported only) or "NAME='value'"
 * lines (all). */
void var_print(int exported_only);
int is_name(const char *s, size_t n);
/* If s is NAME=..., the length of NAME, else 0. */
size_t assign_name_len(const char *s);

/* A saved value to restore after a builtin or function ran with
 * temporary assignments. */
struct var_save {
	char *name, *value;     /* value NULL: was unset */
	int exported;
	struct var_save *next;
};
/* Set name=value temporarily, remembering the old value on *save. */
void var_set_temp(struct var_save **save, const char *name, const char *value);
void var_restore(struct var_save *save);

/* Positional parameters ($0 is separate). */
struct params {
	char **v;
	int n;
};
extern struct params params;
extern char *arg0;
/* Replace the positional parameters with copies of argv[0..argc). */
void params_set(int argc, char **argv);
/* Swap in new parameters (copies), returning the old set to restore. */
struct params params_push(int argc, char **argv);
void params_pop(struct params old);

/* ---- execution */

enum { EV_EXIT = 1,             /* the shell exits after this: exec in place */
	EV_COND = 2 };          /* part of a condition: set -e ignores it */

/* Non-local control flow, checked after every command. */
enum ctl { CTL_NONE, CTL_BREAK, CTL_CONTINUE, CTL_RETURN, CTL_EXIT };

struct shell {
	int status;             /* $? */
	pid_t pid;              /* $$ */
	pid_t last_bg;          /* $! */
	int interactive;
	int monitor;            /* job control: process groups, console */
	int errexit, xtrace, noexec, nounset, verbose;
	pid_t pgid;             /* the shell's own group */
	int ttyfd;              /* -1: no console */
	int subshell;           /* > 0 in a forked child */
	enum ctl ctl;
	int ctl_count;          /* levels to break or continue */
	int loop_depth;
	int func_depth;
	int dot_depth;
	volatile int got_sigint;
	char *trap_exit;        /* EXIT trap command, malloc'd */
};
extern struct shell sh;

/* Run a tree; returns its exit status (also left in sh.status). */
int run_node(struct node *n, int flags);
/* Parse and run text to its end (eval, ., -c, script files).  Returns
 * the status of the last command. */
int run_text(const char *text, size_t len, const char *name);
/* Exit the shell with status (runs the EXIT trap). */
void sh_exit(int status) __attribute__((noreturn));
/* Install a handler without SA_RESTART (reads at the prompt see EINTR). */
void sh_signal(int sig, void (*fn)(int));
/* Set the single-letter option c (e, m, n, u, v, x); -1 if unknown. */
int sh_option(char c, int on);
/* Whether the C stack is nearly used up.  A wasm guest has a small fixed
 * stack (64 KiB by default) and nothing stops an overflow from running
 * into the data below it, so every recursion (commands, functions, the
 * parser, expansions, arithmetic) asks this first and fails cleanly. */
int sh_stack_low(void);
/* Note the stack's top (called first thing in main). */
void sh_stack_init(void *top);
/* Print "sh: msg" to stderr. */
void sh_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Define a function (takes the node; its arena is pinned). */
void func_define(struct node *fn);
struct node *func_find(const char *name);
int func_unset(const char *name);

/* ---- jobs */

struct job;
/* Start a job (not yet in the table); text is copied. */
struct job *job_new(const char *text);
void job_add(struct job *j, pid_t pid);
/* Put j into the table as a background job (prints [n] pid when
 * interactive). */
void job_background(struct job *j);
/* Wait for a foreground job to end or stop; returns its status
 * (128+sig when signalled, 128+SIGTSTP when stopped). Frees or keeps j. */
int job_wait_fg(struct job *j);
pid_t job_pgid(struct job *j);
/* Reap finished children without blocking; report changes if interactive. */
void jobs_poll(int report);
/* Resolve "%n", "%%", "%+", "%-", "%str" or a pid to a job; NULL with a
 * message if none. */
struct job *job_find(const char *spec, const char *who);
/* Builtins that live in jobs.c. */
int bi_jobs(int argc, char **argv);
int bi_fg(int argc, char **argv);
int bi_bg(int argc, char **argv);
int bi_wait(int argc, char **argv);
int bi_kill(int argc, char **argv);
/* Signal number from a name ("INT", "SIGINT", "2"), or -1. */
int sig_number(const char *name);
const char *sig_name(int sig);
/* Decode a wait status into a shell status. */
int status_of(int wstatus);
/* Forget every job (a forked child starts with none). */
void jobs_clear(void);

/* ---- builtins */

typedef int (*builtin_fn)(int argc, char **argv);
/* The builtin called name, or NULL; *special set for POSIX special
 * builtins (their assignments and errors persist). */
builtin_fn builtin_find(const char *name, int *special);
/* Run the test/[ expression; 0 true, 1 false, 2 error. */
int bi_test(int argc, char **argv);
/* Run the commands of traps whose signals arrived (keeps $?). */
void run_traps(void);
/* A subshell forgets trap commands (ignored signals stay ignored). */
void traps_reset(void);
/* The contents of a file, malloc'd, or NULL with errno set. */
char *sh_slurp(const char *path, size_t *len);

/* ---- redirections */

struct saved_fd {
	int fd, copy;           /* copy -1: fd was closed before */
	struct saved_fd *next;
};
/* Apply redirections; with save != NULL remember what to undo.  Returns
 * 0, or -1 after printing an error (what was applied stays recorded). */
int redirs_apply(struct redir *r, struct saved_fd **save);
void redirs_restore(struct saved_fd *save);

#endif
