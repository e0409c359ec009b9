/*
 * registry.h - the DAGs the daemon knows: every *.yaml of dags_folder,
 * loaded at start, re-read when a file changes (uv_fs_event) or on SIGHUP.
 * A file that fails keeps its last good version and records its import
 * errors; a removed file drops its DAG (its history stays in the store).
 * The registry owns one reference to each current DAG version.
 */
#ifndef DAGD_REGISTRY_H
#define DAGD_REGISTRY_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "dag.h"
#include "diag.h"

struct config;
struct registry;

/* Called after a reload for each DAG that is new or changed (dag) or removed (dag NULL). */
typedef void (*registry_change_cb)(void *ctx, const char *dag_id, struct dag *dag);

int registry_new(uv_loop_t *loop, const struct config *cfg, registry_change_cb cb, void *ctx,
		 struct registry **out);
/* Stop watching and drop every DAG (runs keep their own references). */
void registry_free(struct registry *r);
/* Load or reload every file now (start-up, SIGHUP). */
void registry_reload(struct registry *r);
/* Watch dags_folder for changes; 0 or a libuv error code. */
int registry_watch(struct registry *r);

/* Current version of DAG id, or NULL (borrowed). */
struct dag *registry_get(const struct registry *r, const char *id);
size_t registry_count(const struct registry *r);
/* The i-th DAG in id order (borrowed). */
struct dag *registry_at(const struct registry *r, size_t i);
/* Import errors of all files, file order (borrowed). */
const struct diags *registry_errors(const struct registry *r);
/* Changes whenever the DAGs or the import errors may have changed. */
uint64_t registry_generation(const struct registry *r);
/* true once the first full load has happened. */
bool registry_loaded(const struct registry *r);

#endif
