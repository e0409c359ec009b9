/*
 * job_omap.c - the outputs of a try while they are collected: an ordered
 * map from a member name (as canonical JSON string text) to its value (JSON
 * text), where setting a name again replaces its value in place, so later
 * wins and the first appearance fixes the order. Each member is held as
 * its final text `"name":value`; a hash of names finds them. Memory stays
 * bounded: a member longer than the outputs cap keeps only its name, and
 * past OMAP_HOLD_MAX held bytes the map gives up (too_big).
 */
#include "job.h"

#include <stdlib.h>
#include <string.h>

/* Bytes of member text held at once before the outputs count as too big
 * even if later lines might shrink them again. */
#define OMAP_HOLD_MAX (16u * RESULT_OUTPUTS_MAX)

struct omember {
	char *text;  /* "name":value, or only "name" when over */
	size_t len;
	size_t klen; /* bytes of text that are the name */
	bool over;   /* the member alone is over the cap */
};

void omap_init(struct omap *m)
{
	memset(m, 0, sizeof(*m));
}

void omap_release(struct omap *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].text);
	free(m->v);
	free(m->slot);
	omap_init(m);
}

static uint32_t hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static void grow_slots(struct omap *m)
{
	size_t nslot = m->nslot ? m->nslot * 2 : 64;
	uint32_t *slot = job_xmalloc(nslot * sizeof(*slot));

	memset(slot, 0, nslot * sizeof(*slot));
	for (size_t i = 0; i < m->n; i++) {
		size_t h = hash(m->v[i].text, m->v[i].klen) & (nslot - 1);
		while (slot[h])
			h = (h + 1) & (nslot - 1);
		slot[h] = (uint32_t)(i + 1);
	}
	free(m->slot);
	m->slot = slot;
	m->nslot = nslot;
}

/* The slot that holds key, or the free one where it would go. */
static uint32_t *find(struct omap *m, const char *key, size_t klen)
{
	size_t h = hash(key, klen) & (m->nslot - 1);

	for (;;) {
		uint32_t *s = &m->slot[h];
		if (*s == 0)
			return s;
		struct omember *e = &m->v[*s - 1];
		if (e->klen == klen && memcmp(e->text, key, klen) == 0)
			return s;
		h = (h + 1) & (m->nslot - 1);
	}
}

void omap_set(struct omap *m, const char *key, size_t klen, const char *val, size_t vlen)
{
	struct omember *e;
	uint32_t *s;
	size_t len;
	bool over;

	if (m->too_big)
		return;
	if ((m->n + 1) * 2 > m->nslot)
		grow_slots(m);
	s = find(m, key, klen);
	if (*s == 0) {
		if (m->n == m->alloc) {
			m->alloc = m->alloc ? m->alloc * 2 : 16;
			m->v = job_xrealloc(m->v, m->alloc * sizeof(*m->v));
		}
		e = &m->v[m->n];
		memset(e, 0, sizeof(*e));
		*s = (uint32_t)++m->n;
	} else {
		e = &m->v[*s - 1];
		m->held -= e->len;
	}
	/* with its braces, the member alone must fit the cap */
	over = klen + 1 + vlen + 2 > RESULT_OUTPUTS_MAX;
	len = over ? klen : klen + 1 + vlen;
	if (len > e->len || !e->text)
		e->text = job_xrealloc(e->text, len);
	memcpy(e->text, key, klen);
	if (!over) {
		e->text[klen] = ':';
		memcpy(e->text + klen + 1, val, vlen);
	}
	e->len = len;
	e->klen = klen;
	e->over = over;
	m->held += len;
	if (m->held > OMAP_HOLD_MAX)
		m->too_big = true;
}

char *omap_render(const struct omap *m, bool *too_big)
{
	size_t total = 2;
	char *out, *p;

	*too_big = false;
	if (m->n == 0 && !m->too_big)
		return NULL;
	for (size_t i = 0; i < m->n; i++) {
		if (m->v[i].over)
			*too_big = true;
		total += m->v[i].len + (i ? 1 : 0);
	}
	if (m->too_big || total > RESULT_OUTPUTS_MAX)
		*too_big = true;
	if (*too_big)
		return NULL;
	out = p = job_xmalloc(total + 1);
	*p++ = '{';
	for (size_t i = 0; i < m->n; i++) {
		if (i)
			*p++ = ',';
		memcpy(p, m->v[i].text, m->v[i].len);
		p += m->v[i].len;
	}
	*p++ = '}';
	*p = '\0';
	return out;
}
