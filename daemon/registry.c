/*
 * registry.c - loads dags_folder into DAG versions, reloads on change.
 * A file is re-read when its size, mtime or inode changes (or always on a
 * forced reload, SIGHUP); a good load replaces the old version, a bad one
 * keeps it and records the errors. File events are debounced by
 * REGISTRY_DEBOUNCE_MS so an editor's burst of writes is one reload.
 */
#include "registry.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "log.h"

#define REGISTRY_DEBOUNCE_MS 30

struct entry {
	char *file;
	struct stat st;
	struct dag *dag;    /* last good version, or NULL */
	struct diags diags; /* problems of the last load */
	bool seen;
};

struct registry {
	uv_loop_t *loop;
	const struct config *cfg;
	registry_change_cb cb;
	void *ctx;
	struct entry *v;
	size_t n, alloc;
	struct dag **sorted;
	size_t n_sorted;
	struct diags errors;
	uint64_t generation; /* bumped by every rebuild */
	bool loaded;
	uv_fs_event_t watch;
	uv_timer_t debounce;
	bool watching;
	int closing; /* handles still closing in registry_free */
};

int registry_new(uv_loop_t *loop, const struct config *cfg, registry_change_cb cb, void *ctx,
		 struct registry **out)
{
	struct registry *r = xcalloc(1, sizeof(*r));

	r->loop = loop;
	r->cfg = cfg;
	r->cb = cb;
	r->ctx = ctx;
	diags_init(&r->errors);
	uv_timer_init(loop, &r->debounce);
	r->debounce.data = r;
	*out = r;
	return 0;
}

static void closed_cb(uv_handle_t *h)
{
	struct registry *r = h->data;
	if (--r->closing == 0)
		free(r);
}

void registry_free(struct registry *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].file);
		dag_unref(r->v[i].dag);
		diags_release(&r->v[i].diags);
	}
	free(r->v);
	free(r->sorted);
	diags_release(&r->errors);
	r->closing = 1;
	uv_close((uv_handle_t *)&r->debounce, closed_cb);
	if (r->watching) {
		r->closing++;
		uv_close((uv_handle_t *)&r->watch, closed_cb);
	}
}

static bool same_stat(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static struct entry *entry_for(struct registry *r, const char *file)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i].file, file) == 0)
			return &r->v[i];
	if (r->n == r->alloc) {
		r->alloc = r->alloc ? r->alloc * 2 : 16;
		r->v = xrealloc(r->v, r->alloc * sizeof(*r->v));
	}
	memset(&r->v[r->n], 0, sizeof(r->v[r->n]));
	r->v[r->n].file = xstrdup(file);
	diags_init(&r->v[r->n].diags);
	return &r->v[r->n++];
}

static int dag_cmp(const void *a, const void *b)
{
	return strcmp((*(struct dag *const *)a)->id, (*(struct dag *const *)b)->id);
}

static void rebuild(struct registry *r)
{
	free(r->sorted);
	r->sorted = xcalloc(r->n + 1, sizeof(*r->sorted));
	r->n_sorted = 0;
	r->generation++;
	diags_release(&r->errors);
	for (size_t i = 0; i < r->n; i++) {
		for (size_t j = 0; j < r->v[i].diags.n; j++) {
			struct diag *g = &r->v[i].diags.v[j];
			if (g->sev == DIAG_ERROR)
				diags_add(&r->errors, g->sev, g->file, g->line, g->col, "%s", g->msg);
		}
		if (r->v[i].dag)
			r->sorted[r->n_sorted++] = r->v[i].dag;
	}
	qsort(r->sorted, r->n_sorted, sizeof(*r->sorted), dag_cmp);
}

static bool id_taken(struct registry *r, const struct entry *self, const char *id)
{
	for (size_t i = 0; i < r->n; i++)
		if (&r->v[i] != self && r->v[i].dag && strcmp(r->v[i].dag->id, id) == 0)
			return true;
	return false;
}

static void load_one(struct registry *r, struct entry *e, const struct stat *st, bool force)
{
	struct dag *dag = NULL;
	struct diags d;

	e->seen = true;
	if (!force && e->st.st_ino && same_stat(&e->st, st))
		return;
	e->st = *st;
	diags_init(&d);
	if (dag_load_file(e->file, r->cfg, &dag, &d) == 0 && id_taken(r, e, dag->id)) {
		diags_add(&d, DIAG_ERROR, e->file, 1, 1, "DAG id '%s' is already used by another file",
			  dag->id);
		dag_unref(dag);
		dag = NULL;
	}
	diags_release(&e->diags);
	e->diags = d;
	if (!dag) {
		log_warn("registry", "file=%s has %zu import error%s%s", e->file, d.errors,
			 d.errors == 1 ? "" : "s", e->dag ? "; keeping the last good version" : "");
		return;
	}
	if (e->dag && strcmp(e->dag->id, dag->id) != 0 && r->cb)
		r->cb(r->ctx, e->dag->id, NULL); /* renamed: the old id is gone */
	dag_unref(e->dag);
	e->dag = dag;
	log_info("registry", "dag=%s loaded from %s (%zu tasks)", dag->id, e->file, dag->n_tasks);
	if (r->cb)
		r->cb(r->ctx, dag->id, dag);
}

static void reload(struct registry *r, bool force)
{
	const char *dir = r->cfg->dags_folder;
	DIR *dp = opendir(dir);
	struct dirent *de;

	for (size_t i = 0; i < r->n; i++)
		r->v[i].seen = false;
	if (!dp) {
		log_warn_errno("registry", "cannot open dags_folder %s", dir);
	}
	while (dp && (de = readdir(dp)) != NULL) {
		size_t len = strlen(de->d_name);
		struct stat st;
		char *path;
		if (de->d_name[0] == '.' ||
		    !((len > 5 && strcmp(de->d_name + len - 5, ".yaml") == 0) ||
		      (len > 4 && strcmp(de->d_name + len - 4, ".yml") == 0)))
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			load_one(r, entry_for(r, path), &st, force);
		free(path);
	}
	if (dp)
		closedir(dp);
	for (size_t i = 0; i < r->n;) {
		struct entry *e = &r->v[i];
		if (e->seen) {
			i++;
			continue;
		}
		if (e->dag) {
			log_info("registry", "dag=%s removed (file %s is gone)", e->dag->id, e->file);
			if (r->cb)
				r->cb(r->ctx, e->dag->id, NULL);
		}
		free(e->file);
		dag_unref(e->dag);
		diags_release(&e->diags);
		r->v[i] = r->v[--r->n];
	}
	rebuild(r);
	r->loaded = true;
}

void registry_reload(struct registry *r)
{
	reload(r, true);
}

static void debounce_cb(uv_timer_t *t)
{
	reload(t->data, false);
}

static void fs_event_cb(uv_fs_event_t *h, const char *name, int events, int status)
{
	struct registry *r = h->data;
	(void)name;
	(void)events;
	if (status < 0) {
		log_warn("registry", "watching %s failed: %s", r->cfg->dags_folder, uv_strerror(status));
		return;
	}
	uv_timer_start(&r->debounce, debounce_cb, REGISTRY_DEBOUNCE_MS, 0);
}

int registry_watch(struct registry *r)
{
	int rc = uv_fs_event_init(r->loop, &r->watch);

	if (rc != 0)
		return rc;
	r->watch.data = r;
	rc = uv_fs_event_start(&r->watch, fs_event_cb, r->cfg->dags_folder, 0);
	if (rc != 0) {
		uv_close((uv_handle_t *)&r->watch, NULL);
		return rc;
	}
	r->watching = true;
	return 0;
}

struct dag *registry_get(const struct registry *r, const char *id)
{
	size_t lo = 0, hi = r->n_sorted;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(r->sorted[mid]->id, id);
		if (c == 0)
			return r->sorted[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

size_t registry_count(const struct registry *r)
{
	return r->n_sorted;
}

struct dag *registry_at(const struct registry *r, size_t i)
{
	return i < r->n_sorted ? r->sorted[i] : NULL;
}

const struct diags *registry_errors(const struct registry *r)
{
	return &r->errors;
}

uint64_t registry_generation(const struct registry *r)
{
	return r->generation;
}

bool registry_loaded(const struct registry *r)
{
	return r->loaded;
}
