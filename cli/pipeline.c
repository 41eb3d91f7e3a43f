// SPDX-License-Identifier: MIT
/*
 * analyze on two cores: one thread reads and parses the input, the other
 * matches the rules. Parsing and matching cost about the same per event,
 * so this nearly halves the time of a large trace. Events cross over in
 * batches that own copies of their strings (a reader's strings are valid
 * only until its next event).
 */
#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "engine.h"
#include "fields.h"
#include "util.h"

#define BATCH_EVENTS 512
#define BATCH_ARENA (256 * 1024)
#define RING 4

struct batch {
	struct event ev[BATCH_EVENTS];
	int n;
	char *arena;
	size_t used;
	size_t cap;
};

struct pipeline {
	struct input *in;
	struct batch ring[RING];
	int head;   /* next batch the reader fills */
	int tail;   /* next batch the engine takes */
	int full;   /* batches ready for the engine */
	bool done;  /* the reader has finished */
	int status; /* the reader's: 0 or -1 */
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

/*
 * Copy EV and its strings into B: 0, or the bytes its strings take when
 * B has no room for them (B is then unchanged).
 */
static size_t copy_event(struct batch *b, const struct event *ev)
{
	struct event *d = &b->ev[b->n];
	size_t at = (b->used + 7) & ~(size_t)7;
	size_t n;

	if (b->n == BATCH_EVENTS)
		return 1;
	*d = *ev;
	n = event_copy_strings(d, b->arena + at, at < b->cap ? b->cap - at : 0);
	if (at + n > b->cap)
		return n + 8;
	b->n++;
	b->used = at + n;
	return 0;
}

/* Hand the reader's batch to the engine and wait for a free one. */
static struct batch *publish(struct pipeline *p)
{
	pthread_mutex_lock(&p->lock);
	p->head = (p->head + 1) % RING;
	p->full++;
	pthread_cond_broadcast(&p->cond);
	while (p->full == RING)
		pthread_cond_wait(&p->cond, &p->lock);
	pthread_mutex_unlock(&p->lock);
	return &p->ring[p->head];
}

static void *reader(void *arg)
{
	struct pipeline *p = arg;
	struct batch *b = &p->ring[p->head];
	struct event ev;
	int r;

	while ((r = input_next(p->in, &ev)) > 0) {
		size_t n = copy_event(b, &ev);

		if (!n)
			continue;
		if (b->n)
			b = publish(p);
		if (n > b->cap) {
			b->cap = n;
			b->arena = xrealloc(b->arena, n);
		}
		n = copy_event(b, &ev);
		assert(!n); /* an empty batch with room for this event */
	}
	pthread_mutex_lock(&p->lock);
	if (b->n) {
		p->head = (p->head + 1) % RING;
		p->full++;
	}
	p->status = r < 0 ? -1 : 0;
	p->done = true;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int feed_pipelined(struct input *in, struct engine *e)
{
	struct pipeline p = {.in = in};
	pthread_t t;
	int status;

	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.cond, NULL);
	for (int i = 0; i < RING; i++) {
		p.ring[i].cap = BATCH_ARENA;
		p.ring[i].arena = xmalloc(BATCH_ARENA);
	}
	if (pthread_create(&t, NULL, reader, &p) != 0) {
		/* no second thread: read and match in this one */
		struct event ev;
		int r;

		while ((r = input_next(in, &ev)) > 0)
			engine_feed(e, &ev);
		status = r < 0 ? -1 : 0;
		goto out_free;
	}
	for (;;) {
		struct batch *b;

		pthread_mutex_lock(&p.lock);
		while (!p.full && !p.done)
			pthread_cond_wait(&p.cond, &p.lock);
		if (!p.full) {
			pthread_mutex_unlock(&p.lock);
			break;
		}
		b = &p.ring[p.tail];
		pthread_mutex_unlock(&p.lock);
		for (int i = 0; i < b->n; i++)
			engine_feed(e, &b->ev[i]);
		b->n = 0;
		b->used = 0;
		pthread_mutex_lock(&p.lock);
		p.tail = (p.tail + 1) % RING;
		p.full--;
		pthread_cond_broadcast(&p.cond);
		pthread_mutex_unlock(&p.lock);
	}
	pthread_join(t, NULL);
	status = p.status;
out_free:
	for (int i = 0; i < RING; i++)
		free(p.ring[i].arena);
	pthread_mutex_destroy(&p.lock);
	pthread_cond_destroy(&p.cond);
	return status;
}
