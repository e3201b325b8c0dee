/* parse.c - tokens and the grammar (POSIX "Shell Command Language" 2.3, 2.10).
 *
 * The lexer keeps words raw: quotes, backslashes and $-expansions stay in
 * the text and expand.c interprets them when the command runs.  It only
 * has to find where a word ends, which means matching quotes, ${...},
 * $(...) and `...`.  The parser is recursive descent with one token of
 * lookahead; reserved words are recognized by the parser, where it
 * expects a command, never by the lexer.
 *
 * Interactive and piped input arrive a line at a time, so running out of
 * text inside a construct is not an error when the caller can read more:
 * the parse reports P_INCOMPLETE and is simply redone on the longer text.
 */
#define _GNU_SOURCE
#include "sh.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum tok_type { T_EOF, T_NL, T_WORD, T_IONUM, T_AND_IF, T_OR_IF, T_DSEMI,
	T_SEMI, T_AMP, T_PIPE, T_LPAREN, T_RPAREN, T_LESS, T_GREAT, T_DGREAT,
	T_DLESS, T_DLESSDASH, T_LESSAND, T_GREATAND, T_LESSGREAT, T_CLOBBER };

/* Longest first, so "<<-" wins over "<<" and "<". */
static const struct { const char *s; enum tok_type t; } ops[] = {
	{ "<<-", T_DLESSDASH }, { "&&", T_AND_IF }, { "||", T_OR_IF },
	{ ";;", T_DSEMI }, { "<<", T_DLESS }, { ">>", T_DGREAT },
	{ "<&", T_LESSAND }, { ">&", T_GREATAND }, { "<>", T_LESSGREAT },
	{ ">|", T_CLOBBER }, { "&", T_AMP }, { ";", T_SEMI }, { "|", T_PIPE },
	{ "(", T_LPAREN }, { ")", T_RPAREN }, { "<", T_LESS }, { ">", T_GREAT },
};

/* Redirection operators: the kind they make and the default fd. */
static const struct { enum tok_type t; enum redir_kind k; int fd; } redir_ops[] = {
	{ T_LESS, R_IN, 0 }, { T_GREAT, R_OUT, 1 }, { T_DGREAT, R_APPEND, 1 },
	{ T_CLOBBER, R_CLOBBER, 1 }, { T_LESSGREAT, R_RDWR, 0 },
	{ T_LESSAND, R_DUPIN, 0 }, { T_GREATAND, R_DUPOUT, 1 },
	{ T_DLESS, R_HEREDOC, 0 }, { T_DLESSDASH, R_HEREDOC, 0 },
};

/* Words that end a list: the parser stops there and lets the construct
 * that opened the list check which one it got. */
static const char *const closers[] = {
	"then", "else", "elif", "fi", "do", "done", "esac", "}",
};

struct tok {
	enum tok_type type;
	char *text;             /* T_WORD, T_IONUM */
	size_t start, end;
};

#define MAX_DEPTH 100           /* nesting; bounds the C stack */
#define MAX_HEREDOCS 32

struct parser {
	struct arena *a;
	const char *buf;
	size_t len, pos;
	int more;
	int line;
	const char *name;
	enum parse_status status;
	int have;
	struct tok tok;
	size_t last_end;        /* end of the last consumed token */
	int depth;
	struct redir *heredocs[MAX_HEREDOCS];
	int nheredocs;
};

static void syntax(struct parser *p, const char *fmt, const char *arg);

static int
at(struct parser *p, size_t off)
{
	return p->pos + off < p->len ? (unsigned char)p->buf[p->pos + off] : -1;
}

/* Out of text: incomplete if more can come, else what to say. */
static void
eof_in(struct parser *p, const char *what)
{
	if (p->status != P_OK)
		return;
	if (p->more)
		p->status = P_INCOMPLETE;
	else
		syntax(p, "%s", what);
}

static void
syntax(struct parser *p, const char *fmt, const char *arg)
{
	if (p->status != P_OK)
		return;
	p->status = P_ERROR;
	if (p->name)
		fprintf(stderr, "sh: %s: line %d: syntax error: ", p->name, p->line);
	else
		fprintf(stderr, "sh: syntax error: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
}

/* A backslash-newline outside single quotes joins lines: skip any at pos.
 * Returns -1 if the text ends right after a backslash and more may come. */
static int
skip_continuations(struct parser *p)
{
	while (at(p, 0) == '\\') {
		if (at(p, 1) == '\n') {
			p->pos += 2;
			p->line++;
		} else if (at(p, 1) < 0 && p->more) {
			eof_in(p, "unexpected end of file");
			return -1;
		} else {
			break;
		}
	}
	return 0;
}

static void scan_dollar(struct parser *p, struct str *b);
static void scan_backq(struct parser *p, struct str *b);

/* Copy one character, counting lines. */
static void
take(struct parser *p, struct str *b)
{
	int c = at(p, 0);
	if (c == '\n')
		p->line++;
	str_addc(b, (char)c);
	p->pos++;
}

static void
scan_squote(struct parser *p, struct str *b)
{
	take(p, b);
	while (p->status == P_OK && at(p, 0) != '\'') {
		if (at(p, 0) < 0) {
			eof_in(p, "unterminated quoted string");
			return;
		}
		take(p, b);
	}
	if (p->status == P_OK)
		take(p, b);
}

static void
scan_dquote(struct parser *p, struct str *b)
{
	take(p, b);
	while (p->status == P_OK) {
		if (skip_continuations(p) < 0)
			return;
		int c = at(p, 0);
		if (c < 0) {
			eof_in(p, "unterminated quoted string");
			return;
		}
		if (c == '"') {
			take(p, b);
			return;
		}
		if (c == '\\' && at(p, 1) >= 0) {
			take(p, b);
			take(p, b);
		} else if (c == '$') {
			scan_dollar(p, b);
		} else if (c == '`') {
			scan_backq(p, b);
		} else {
			take(p, b);
		}
	}
}

/* $(...), $((...)) or ${...}: copy to the matching close, through quotes
 * and nested expansions.  A ")" inside a case pattern in $(...) is not
 * understood (dash and bash parse the whole command; we only count). */
static void
scan_nested(struct parser *p, struct str *b, int open, int close)
{
	int depth = 1;
	take(p, b);             /* the opening bracket */
	while (p->status == P_OK) {
		if (skip_continuations(p) < 0)
			return;
		int c = at(p, 0);
		if (c < 0) {
			eof_in(p, close == '}' ? "missing '}'" : "missing ')'");
			return;
		}
		if (c == '\'' && close == ')') {
			scan_squote(p, b);
		} else if (c == '"') {
			scan_dquote(p, b);
		} else if (c == '`') {
			scan_backq(p, b);
		} else if (c == '\\' && at(p, 1) >= 0) {
			take(p, b);
			take(p, b);
		} else if (c == '$' && (at(p, 1) == '(' || at(p, 1) == '{')) {
			scan_dollar(p, b);
		} else {
			if (c == open)
				depth++;
			else if (c == close && --depth == 0) {
				take(p, b);
				return;
			}
			take(p, b);
		}
	}
}

static void
scan_dollar(struct parser *p, struct str *b)
{
	take(p, b);             /* $ */
	if (skip_continuations(p) < 0)
		return;
	if (at(p, 0) == '(')
		scan_nested(p, b, '(', ')');
	else if (at(p, 0) == '{')
		scan_nested(p, b, '{', '}');
}

static void
scan_backq(struct parser *p, struct str *b)
{
	take(p, b);
	while (p->status == P_OK) {
		int c = at(p, 0);
		if (c < 0) {
			eof_in(p, "unterminated `");
			return;
		}
		if (c == '\\' && at(p, 1) >= 0) {
			take(p, b);
		} else if (c == '`') {
			take(p, b);
			return;
		}
		take(p, b);
	}
}

static int
is_meta(int c)
{
	return c < 0 || strchr(" \t\n;&|<>()", c) != NULL;
}

/* Remove quotes from a heredoc delimiter. */
static char *
unquote_delim(struct parser *p, const char *s, int *quoted)
{
	struct str b = { 0 };
	*quoted = 0;
	for (; *s; s++) {
		if (*s == '\'' || *s == '"') {
			char q = *s;
			*quoted = 1;
			for (s++; *s && *s != q; s++)
				str_addc(&b, *s);
			if (!*s)
				break;
		} else if (*s == '\\' && s[1]) {
			*quoted = 1;
			str_addc(&b, *++s);
		} else {
			str_addc(&b, *s);
		}
	}
	char *r = arena_strndup(p->a, b.s ? b.s : "", b.n);
	free(b.s);
	return r;
}

/* After a newline token: read the bodies of the heredocs its line opened. */
static void
read_heredocs(struct parser *p)
{
	for (int i = 0; i < p->nheredocs && p->status == P_OK; i++) {
		struct redir *r = p->heredocs[i];
		struct str body = { 0 };
		const char *delim = r->word;
		size_t dlen = strlen(delim);
		for (;;) {
			size_t s = p->pos;
			while (s < p->len && p->buf[s] == '\t' && r->strip_tabs)
				s++;
			size_t e = s;
			while (e < p->len && p->buf[e] != '\n')
				e++;
			if (e == p->len && p->more) {
				eof_in(p, "unterminated here-document");
				break;
			}
			if (e - s == dlen && memcmp(p->buf + s, delim, dlen) == 0) {
				p->pos = e < p->len ? e + 1 : e;
				p->line++;
				break;
			}
			if (e == p->len && s == e) {
				p->pos = e;     /* delimiter missing at end: body ends */
				break;
			}
			str_addn(&body, p->buf + s, e - s);
			str_addc(&body, '\n');
			p->pos = e < p->len ? e + 1 : e;
			p->line++;
		}
		r->body = arena_strndup(p->a, body.s ? body.s : "", body.n);
		free(body.s);
	}
	p->nheredocs = 0;
}

static void
lex(struct parser *p, struct tok *t)
{
	memset(t, 0, sizeof *t);
	for (;;) {
		if (skip_continuations(p) < 0)
			return;
		int c = at(p, 0);
		if (c == ' ' || c == '\t') {
			p->pos++;
		} else if (c == '#') {
			while (at(p, 0) >= 0 && at(p, 0) != '\n')
				p->pos++;
		} else {
			break;
		}
	}
	t->start = p->pos;
	int c = at(p, 0);
	if (c < 0) {
		t->type = T_EOF;
		t->end = p->pos;
		if (p->nheredocs)
			read_heredocs(p);       /* "cat <<E" at the very end */
		return;
	}
	if (c == '\n') {
		p->pos++;
		p->line++;
		t->type = T_NL;
		t->end = p->pos;
		read_heredocs(p);
		return;
	}
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		size_t n = strlen(ops[i].s);
		if (p->len - p->pos >= n && memcmp(p->buf + p->pos, ops[i].s, n) == 0) {
			p->pos += n;
			t->type = ops[i].t;
			t->end = p->pos;
			return;
		}
	}
	struct str b = { 0 };
	while (p->status == P_OK) {
		if (skip_continuations(p) < 0)
			break;
		c = at(p, 0);
		if (is_meta(c))
			break;
		if (c == '\'')
			scan_squote(p, &b);
		else if (c == '"')
			scan_dquote(p, &b);
		else if (c == '`')
			scan_backq(p, &b);
		else if (c == '$')
			scan_dollar(p, &b);
		else if (c == '\\') {
			take(p, &b);
			if (at(p, 0) >= 0)
				take(p, &b);
		} else
			take(p, &b);
	}
	t->type = T_WORD;
	t->end = p->pos;
	t->text = arena_strndup(p->a, b.s ? b.s : "", b.n);
	free(b.s);
	c = at(p, 0);
	if ((c == '<' || c == '>') && b.n > 0 && b.n <= 4 &&
	    strspn(t->text, "0123456789") == b.n)
		t->type = T_IONUM;
}

static struct tok *
peek(struct parser *p)
{
	if (!p->have) {
		lex(p, &p->tok);
		p->have = 1;
	}
	return &p->tok;
}

static struct tok
next(struct parser *p)
{
	peek(p);
	p->have = 0;
	p->last_end = p->tok.end;
	return p->tok;
}

static int
is_kw(struct parser *p, const char *kw)
{
	struct tok *t = peek(p);
	return t->type == T_WORD && strcmp(t->text, kw) == 0;
}

static void
skip_nl(struct parser *p)
{
	while (p->status == P_OK && peek(p)->type == T_NL)
		next(p);
}

static const char *
tok_desc(struct tok *t)
{
	if (t->type == T_WORD || t->type == T_IONUM)
		return t->text;
	if (t->type == T_NL)
		return "newline";
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
		if (ops[i].t == t->type)
			return ops[i].s;
	return "end of file";
}

/* The current token is not what the grammar needs. */
static void
unexpected(struct parser *p)
{
	struct tok *t = peek(p);
	if (p->status != P_OK)
		return;
	if (t->type == T_EOF)
		eof_in(p, "unexpected end of file");
	else
		syntax(p, "unexpected '%s'", tok_desc(t));
}

static int
expect_kw(struct parser *p, const char *kw)
{
	if (p->status != P_OK)
		return -1;
	if (!is_kw(p, kw)) {
		unexpected(p);
		return -1;
	}
	next(p);
	return 0;
}

static struct node *
mk(struct parser *p, enum node_kind k)
{
	struct node *n = arena_alloc(p->a, sizeof *n);
	n->kind = k;
	n->line = p->line;
	return n;
}

static struct node *
mk2(struct parser *p, enum node_kind k, struct node *a, struct node *b)
{
	struct node *n = mk(p, k);
	n->a = a;
	n->b = b;
	return n;
}

static void
push_cmd(struct parser *p, struct node *seq, struct node *c)
{
	if ((seq->ncmds & (seq->ncmds - 1)) == 0) {     /* 0,1,2,4,...: grow */
		size_t cap = seq->ncmds ? (size_t)seq->ncmds * 2 : 1;
		struct node **v = arena_alloc(p->a, cap * sizeof *v);
		if (seq->ncmds)
			memcpy(v, seq->cmds, (size_t)seq->ncmds * sizeof *v);
		seq->cmds = v;
	}
	seq->cmds[seq->ncmds++] = c;
}

static struct word *
mkword(struct parser *p, char *text)
{
	struct word *w = arena_alloc(p->a, sizeof *w);
	w->text = text;
	return w;
}

static char *
text_from(struct parser *p, size_t start)
{
	size_t end = p->last_end > start ? p->last_end : start;
	return arena_strndup(p->a, p->buf + start, end - start);
}

static struct node *parse_list(struct parser *p, int top);
static struct node *parse_cmd(struct parser *p);

static int
is_closer(struct parser *p)
{
	struct tok *t = peek(p);
	if (t->type == T_EOF || t->type == T_RPAREN || t->type == T_DSEMI)
		return 1;
	for (size_t i = 0; i < sizeof closers / sizeof closers[0]; i++)
		if (is_kw(p, closers[i]))
			return 1;
	return 0;
}

static struct node *
parse_pipeline(struct parser *p)
{
	size_t start = peek(p)->start;
	int bang = 0;
	if (is_kw(p, "!")) {
		next(p);
		bang = 1;
	}
	struct node *first = parse_cmd(p);
	if (!first)
		return NULL;
	struct node *n = first;
	if (peek(p)->type == T_PIPE) {
		n = mk(p, N_PIPE);
		push_cmd(p, n, first);
		while (p->status == P_OK && peek(p)->type == T_PIPE) {
			next(p);
			skip_nl(p);
			struct node *c = parse_cmd(p);
			if (!c)
				return NULL;
			push_cmd(p, n, c);
		}
	}
	if (bang)
		n = mk2(p, N_NOT, n, NULL);
	if (!n->text)
		n->text = text_from(p, start);
	return n;
}

static struct node *
parse_and_or(struct parser *p)
{
	size_t start = peek(p)->start;
	struct node *n = parse_pipeline(p);
	while (n && p->status == P_OK) {
		enum tok_type t = peek(p)->type;
		if (t != T_AND_IF && t != T_OR_IF)
			break;
		next(p);
		skip_nl(p);
		struct node *r = parse_pipeline(p);
		if (!r)
			return NULL;
		n = mk2(p, t == T_AND_IF ? N_AND : N_OR, n, r);
		n->text = text_from(p, start);
	}
	return p->status == P_OK ? n : NULL;
}

/* A list of and-or lists.  At top level it ends at the first newline
 * (which it consumes); inside a construct newlines separate and it ends
 * at a closing word, ")" or ";;". */
static struct node *
parse_list(struct parser *p, int top)
{
	struct node *seq = mk(p, N_SEQ);
	for (;;) {
		if (!top)
			skip_nl(p);
		if (p->status != P_OK)
			return NULL;
		if (is_closer(p))
			break;
		size_t start = peek(p)->start;
		struct node *n = parse_and_or(p);
		if (!n)
			return NULL;
		enum tok_type t = peek(p)->type;
		if (t == T_AMP) {
			char *text = text_from(p, start);
			next(p);
			n = mk2(p, N_BG, n, NULL);
			n->text = text;
		} else if (t == T_SEMI) {
			next(p);
		} else if (t != T_NL) {
			push_cmd(p, seq, n);
			break;
		}
		push_cmd(p, seq, n);
		if (top && peek(p)->type == T_NL) {
			next(p);
			break;
		}
		if (p->status != P_OK)
			return NULL;
	}
	if (!top && seq->ncmds == 0) {
		unexpected(p);
		return NULL;
	}
	return seq->ncmds == 1 && seq->cmds[0]->kind != N_BG ? seq->cmds[0] : seq;
}

static int
parse_redir(struct parser *p, struct redir ***tail)
{
	int fd = -1;
	if (peek(p)->type == T_IONUM)
		fd = atoi(next(p).text);
	struct tok op = next(p);
	size_t i = 0;
	while (i < sizeof redir_ops / sizeof redir_ops[0] && redir_ops[i].t != op.type)
		i++;
	if (peek(p)->type != T_WORD) {
		unexpected(p);
		return -1;
	}
	struct redir *r = arena_alloc(p->a, sizeof *r);
	r->kind = redir_ops[i].k;
	r->fd = fd >= 0 ? fd : redir_ops[i].fd;
	r->word = next(p).text;
	if (r->kind == R_HEREDOC) {
		r->strip_tabs = op.type == T_DLESSDASH;
		r->word = unquote_delim(p, r->word, &r->quoted);
		if (p->nheredocs == MAX_HEREDOCS) {
			syntax(p, "%s", "too many here-documents on one line");
			return -1;
		}
		p->heredocs[p->nheredocs++] = r;
	}
	**tail = r;
	*tail = &r->next;
	return 0;
}

static int
is_redir_tok(struct parser *p)
{
	enum tok_type t = peek(p)->type;
	if (t == T_IONUM)
		return 1;
	for (size_t i = 0; i < sizeof redir_ops / sizeof redir_ops[0]; i++)
		if (redir_ops[i].t == t)
			return 1;
	return 0;
}

static struct node *
parse_simple(struct parser *p)
{
	struct node *n = mk(p, N_SIMPLE);
	struct redir **rt = &n->redirs;
	struct word **asg = &n->assigns, **wt = &n->words;
	size_t start = peek(p)->start;
	for (;;) {
		if (p->status != P_OK)
			return NULL;
		if (is_redir_tok(p)) {
			if (parse_redir(p, &rt) < 0)
				return NULL;
			continue;
		}
		if (peek(p)->type != T_WORD)
			break;
		struct tok t = next(p);
		if (!n->words && assign_name_len(t.text)) {
			*asg = mkword(p, t.text);
			asg = &(*asg)->next;
			continue;
		}
		if (!n->words && !n->assigns && !n->redirs && peek(p)->type == T_LPAREN) {
			next(p);
			if (peek(p)->type != T_RPAREN) {
				unexpected(p);
				return NULL;
			}
			next(p);
			if (!is_name(t.text, strlen(t.text))) {
				syntax(p, "bad function name '%s'", t.text);
				return NULL;
			}
			skip_nl(p);
			struct node *f = mk(p, N_FUNC);
			f->name = t.text;
			f->a = parse_cmd(p);
			if (!f->a)
				return NULL;
			f->arena = p->a;
			f->text = text_from(p, start);
			return f;
		}
		*wt = mkword(p, t.text);
		wt = &(*wt)->next;
	}
	if (!n->words && !n->assigns && !n->redirs) {
		unexpected(p);
		return NULL;
	}
	n->text = text_from(p, start);
	return n;
}

static struct node *
parse_if(struct parser *p)
{
	struct node *n = mk(p, N_IF);
	next(p);                /* if or elif */
	n->a = parse_list(p, 0);
	if (!n->a || expect_kw(p, "then") < 0)
		return NULL;
	n->b = parse_list(p, 0);
	if (!n->b)
		return NULL;
	if (is_kw(p, "elif")) {
		n->c = parse_if(p);
		return n->c ? n : NULL;
	}
	if (is_kw(p, "else")) {
		next(p);
		n->c = parse_list(p, 0);
		if (!n->c)
			return NULL;
	}
	return expect_kw(p, "fi") < 0 ? NULL : n;
}

static struct node *
parse_loop(struct parser *p, enum node_kind k)
{
	struct node *n = mk(p, k);
	next(p);
	if (k == N_FOR) {
		if (peek(p)->type != T_WORD || !is_name(peek(p)->text, strlen(peek(p)->text))) {
			if (p->status == P_OK && peek(p)->type == T_WORD)
				syntax(p, "bad for variable '%s'", peek(p)->text);
			else
				unexpected(p);
			return NULL;
		}
		n->name = next(p).text;
		skip_nl(p);
		if (is_kw(p, "in")) {
			next(p);
			n->has_in = 1;
			struct word **wt = &n->words;
			while (p->status == P_OK && peek(p)->type == T_WORD) {
				*wt = mkword(p, next(p).text);
				wt = &(*wt)->next;
			}
			if (peek(p)->type != T_SEMI && peek(p)->type != T_NL) {
				unexpected(p);
				return NULL;
			}
			next(p);
		} else if (peek(p)->type == T_SEMI) {
			next(p);
		}
		skip_nl(p);
	} else {
		n->a = parse_list(p, 0);
		if (!n->a)
			return NULL;
	}
	if (expect_kw(p, "do") < 0)
		return NULL;
	n->b = parse_list(p, 0);
	if (!n->b || expect_kw(p, "done") < 0)
		return NULL;
	return n;
}

static struct node *
parse_case(struct parser *p)
{
	struct node *n = mk(p, N_CASE);
	next(p);
	if (peek(p)->type != T_WORD) {
		unexpected(p);
		return NULL;
	}
	n->words = mkword(p, next(p).text);
	skip_nl(p);
	if (expect_kw(p, "in") < 0)
		return NULL;
	struct case_item **it = &n->items;
	for (;;) {
		skip_nl(p);
		if (p->status != P_OK)
			return NULL;
		if (is_kw(p, "esac"))
			break;
		if (peek(p)->type == T_LPAREN)
			next(p);
		struct case_item *ci = arena_alloc(p->a, sizeof *ci);
		struct word **pt = &ci->pats;
		for (;;) {
			if (peek(p)->type != T_WORD) {
				unexpected(p);
				return NULL;
			}
			*pt = mkword(p, next(p).text);
			pt = &(*pt)->next;
			if (peek(p)->type != T_PIPE)
				break;
			next(p);
		}
		if (peek(p)->type != T_RPAREN) {
			unexpected(p);
			return NULL;
		}
		next(p);
		skip_nl(p);
		if (peek(p)->type == T_DSEMI || is_kw(p, "esac")) {
			ci->body = NULL;
		} else {
			ci->body = parse_list(p, 0);
			if (!ci->body)
				return NULL;
		}
		*it = ci;
		it = &ci->next;
		if (peek(p)->type == T_DSEMI) {
			next(p);
			continue;
		}
		if (!is_kw(p, "esac")) {
			unexpected(p);
			return NULL;
		}
	}
	next(p);
	return n;
}

static struct node *
parse_compound(struct parser *p)
{
	struct node *n;
	if (peek(p)->type == T_LPAREN) {
		next(p);
		n = mk(p, N_SUBSHELL);
		n->a = parse_list(p, 0);
		if (!n->a)
			return NULL;
		if (peek(p)->type != T_RPAREN) {
			unexpected(p);
			return NULL;
		}
		next(p);
	} else if (is_kw(p, "{")) {
		next(p);
		n = mk(p, N_GROUP);
		n->a = parse_list(p, 0);
		if (!n->a || expect_kw(p, "}") < 0)
			return NULL;
	} else if (is_kw(p, "if")) {
		n = parse_if(p);
	} else if (is_kw(p, "while")) {
		n = parse_loop(p, N_WHILE);
	} else if (is_kw(p, "until")) {
		n = parse_loop(p, N_UNTIL);
	} else if (is_kw(p, "for")) {
		n = parse_loop(p, N_FOR);
	} else if (is_kw(p, "case")) {
		n = parse_case(p);
	} else {
		return NULL;
	}
	if (!n)
		return NULL;
	struct redir **rt = &n->redirs;
	while (p->status == P_OK && is_redir_tok(p))
		if (parse_redir(p, &rt) < 0)
			return NULL;
	return p->status == P_OK ? n : NULL;
}

static int
starts_compound(struct parser *p)
{
	static const char *const kws[] = { "{", "if", "while", "until", "for", "case" };
	if (peek(p)->type == T_LPAREN)
		return 1;
	for (size_t i = 0; i < sizeof kws / sizeof kws[0]; i++)
		if (is_kw(p, kws[i]))
			return 1;
	return 0;
}

static struct node *
parse_cmd(struct parser *p)
{
	if (p->status != P_OK)
		return NULL;
	if (++p->depth > MAX_DEPTH || sh_stack_low()) {
		syntax(p, "%s", "commands nested too deeply");
		return NULL;
	}
	struct node *n;
	size_t start = peek(p)->start;
	if (starts_compound(p)) {
		n = parse_compound(p);
		if (n && !n->text)
			n->text = text_from(p, start);
	} else if (is_closer(p) || is_kw(p, "in")) {
		unexpected(p);
		n = NULL;
	} else {
		n = parse_simple(p);
	}
	p->depth--;
	return p->status == P_OK ? n : NULL;
}

enum parse_status
parse_command(struct arena *a, const char *buf, size_t len, size_t *pos,
	int more, int *line, const char *name, struct node **out)
{
	struct parser p = { .a = a, .buf = buf, .len = len, .pos = *pos,
		.more = more, .line = *line, .name = name, .status = P_OK };
	*out = NULL;
	struct tok *t = peek(&p);
	if (p.status == P_OK && t->type == T_EOF) {
		*pos = p.pos;
		*line = p.line;
		return P_EOF;
	}
	if (p.status == P_OK && t->type == T_NL) {
		next(&p);
		*pos = p.pos;
		*line = p.line;
		return P_EMPTY;
	}
	struct node *n = p.status == P_OK ? parse_list(&p, 1) : NULL;
	if (p.status == P_OK && p.have && p.tok.type != T_EOF)
		unexpected(&p);
	if (p.status == P_INCOMPLETE)
		return P_INCOMPLETE;
	if (p.status != P_OK || !n) {
		/* Resume after the line that failed. */
		size_t e = p.pos > *pos ? p.pos - 1 : *pos;
		while (e < len && buf[e] != '\n')
			e++;
		*pos = e < len ? e + 1 : len;
		*line = p.line + 1;
		return P_ERROR;
	}
	*pos = p.pos;
	*line = p.line;
	*out = n;
	return P_OK;
}
