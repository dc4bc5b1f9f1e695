/*
 * expand.c: the name-expansion stage; see expand.h.
 */
#include "config.h"

#include "targets/expand.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"

/* A host name or mail domain being resolved. */
struct expand_job {
	struct expand *x;
	struct expand_job *prev, *next;
	struct target t;
};

/* An address a name yielded, or a target to probe again, waiting for a slot. */
struct ready {
	struct ready *next;
	int retry; /* a dialogue was started and failed on our side */
	struct target t;
};

struct expand {
	struct expand_resolver res;
	struct target_source *src;
	struct expand_job *jobs; /* being resolved */
	size_t resolving;
	struct ready *head, *tail;
	int stopping;
	int out_of_memory;
};

struct expand *
expand_new(const struct expand_resolver *res, struct target_source *src)
{
	struct expand *x = calloc(1, sizeof(*x));

	if (x == NULL)
		return NULL;
	x->res = *res;
	x->src = src;
	return x;
}

void
expand_free(struct expand *x)
{
	if (x == NULL)
		return;
	while (x->jobs != NULL) {
		struct expand_job *j = x->jobs;

		x->jobs = j->next;
		free(j);
	}
	while (x->head != NULL) {
		struct ready *r = x->head;

		x->head = r->next;
		free(r);
	}
	free(x);
}

static void
ready_push(struct expand *x, const struct target *t)
{
	struct ready *r = malloc(sizeof(*r));

	if (r == NULL) {
		x->out_of_memory = 1;
		return;
	}
	r->t = *t;
	r->retry = 0;
	r->next = NULL;
	if (x->tail != NULL)
		x->tail->next = r;
	else
		x->head = r;
	x->tail = r;
}

int
expand_retry(struct expand *x, const struct target *t)
{
	struct ready *r = malloc(sizeof(*r));

	if (r == NULL)
		return -1;
	r->t = *t;
	r->retry = 1;
	r->next = x->head;
	x->head = r;
	if (x->tail == NULL)
		x->tail = r;
	return 0;
}

int
expand_next(struct expand *x, struct target *t)
{
	struct ready *r = x->head;

	if (r == NULL)
		return 0;
	x->head = r->next;
	if (x->head == NULL)
		x->tail = NULL;
	*t = r->t;
	free(r);
	return 1;
}

size_t
expand_stop(struct expand *x)
{
	const struct ready *r;
	size_t cut = 0;

	for (r = x->head; r != NULL && !x->stopping; r = r->next)
		cut += r->retry != 0;
	x->stopping = 1;
	return cut;
}

size_t
expand_resolving(const struct expand *x)
{
	return x->resolving;
}

int
expand_has_ready(const struct expand *x)
{
	return x->head != NULL;
}

int
expand_out_of_memory(const struct expand *x)
{
	return x->out_of_memory;
}

/* "arg:1 mail.example.com", "list.txt:3 mx:example.com mx1.example.com":
 * where the name was given, the name, and the MX host the address is of
 * (host NULL: the domain itself failed, there is no MX host to name). */
static void
name_origin(struct target *t, const struct target *from, const char *host)
{
	struct strbuf sb;

	sb_init(&sb, t->origin, sizeof(t->origin));
	sb_printf(&sb, "%s %s%s", from->origin, from->name_kind == TARGET_NAME_MX ? "mx:" : "",
	          from->hostname);
	if (from->name_kind == TARGET_NAME_MX && host != NULL)
		sb_printf(&sb, " %s", host);
}

static void
name_skip(struct expand *x, const struct target *from, const char *host, const char *error)
{
	struct target t = *from;
	struct strbuf sb;

	name_origin(&t, from, host);
	if (host == NULL)
		host = from->hostname;
	sb_init(&sb, t.hostname, sizeof(t.hostname));
	sb_puts(&sb, host);
	t.name_kind = TARGET_NAME_NONE;
	sb_init(&sb, t.skip_reason, sizeof(t.skip_reason));
	sb_printf(&sb, "DNS: %s: %s", host, error);
	ready_push(x, &t);
}

/* One address of a name: it passes the same policy as a listed address. */
static void
name_address(struct expand *x, const struct target *from, const struct expand_addr *a)
{
	struct target t = *from;
	struct strbuf sb;

	name_origin(&t, from, a->host);
	sb_init(&sb, t.hostname, sizeof(t.hostname));
	sb_puts(&sb, a->host);
	t.name_kind = TARGET_NAME_NONE;
	if (target_set_addr(&t, a->sa, t.port) != 0)
		return;
	switch (target_source_admit(x->src, &t)) {
	case -1:
		x->out_of_memory = 1;
		break;
	case 1:
		ready_push(x, &t);
		break;
	default:
		break; /* a duplicate: counted, probed once */
	}
}

void
expand_answer(struct expand_job *j, const char *error, const struct expand_addr *v, size_t n)
{
	struct expand *x = j->x;
	size_t i;

	if (j->prev != NULL)
		j->prev->next = j->next;
	else
		x->jobs = j->next;
	if (j->next != NULL)
		j->next->prev = j->prev;
	x->resolving--;

	if (x->stopping)
		;
	else if (error != NULL)
		name_skip(x, &j->t, NULL, error);
	else
		for (i = 0; i < n && !x->out_of_memory; i++) {
			if (v[i].sa == NULL)
				name_skip(x, &j->t, v[i].host, v[i].error);
			else
				name_address(x, &j->t, &v[i]);
		}
	free(j);
	x->res.answered(x->res.ctx);
}

int
expand_name(struct expand *x, struct target *t)
{
	struct expand_job *j;

	if (x->res.start == NULL) {
		struct target from = *t;

		name_origin(t, &from, NULL);
		snprintf(t->skip_reason, sizeof(t->skip_reason),
		         "host names need DNS, which is off (--no-dns)");
		return -1;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL) {
		snprintf(t->skip_reason, sizeof(t->skip_reason), "out of memory");
		return -1;
	}
	j->x = x;
	j->t = *t;
	j->next = x->jobs;
	if (x->jobs != NULL)
		x->jobs->prev = j;
	x->jobs = j;
	x->resolving++;
	/* The answer may come from inside start: j is not touched after. */
	if (x->res.start(x->res.ctx, t->hostname, t->name_kind, j) != 0) {
		x->jobs = j->next;
		if (j->next != NULL)
			j->next->prev = NULL;
		x->resolving--;
		free(j);
		snprintf(t->skip_reason, sizeof(t->skip_reason), "out of memory");
		return -1;
	}
	return 0;
}
