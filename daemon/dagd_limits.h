/*
 * dagd_limits.h - every tunable cap and default of dagd in one place, each with
 * the reason for its value.
 */
#ifndef DAGD_LIMITS_H
#define DAGD_LIMITS_H

/* A DAG file larger than this is refused: real ones are a few KiB. */
#define DAG_FILE_MAX (4u << 20)
/* A sql file referenced by a task, read at load time. */
#define SQL_FILE_MAX (16u << 20)
/* YAML nodes after alias expansion; stops alias bombs. */
#define YAML_MAX_NODES 200000
/* YAML nesting depth; stops recursive aliases. */
#define YAML_MAX_DEPTH 64
/* Tasks in one DAG. */
#define DAG_MAX_TASKS 10000
/* A rendered template (a shell script or SQL text). */
#define TEMPLATE_OUT_MAX (16u << 20)
/* Outputs of one try, as DESIGN.md section 3 says. */
#define OUTPUTS_MAX (64u << 10)
/* Default skip exit code. */
#define DEFAULT_SKIP_EXIT_CODE 99
/* Defaults of a DAG. */
#define DEFAULT_MAX_ACTIVE_RUNS 16
#define DEFAULT_MAX_ACTIVE_TASKS 16
#define DEFAULT_RETRY_DELAY_MS 300000
#define DEFAULT_POKE_INTERVAL_MS 60000
#define DEFAULT_SENSOR_TIMEOUT_MS (7 * 86400000LL)
/* Lines printed by `dagd next` when -n is not given. */
#define NEXT_DEFAULT_COUNT 10

/* HTTP (daemon/http.c). API bodies are small JSON documents. */
#define HTTP_BODY_MAX (1u << 20)
/* A chunked body past HTTP_BODY_MAX is read and dropped (to answer 413)
 * up to this much more; beyond, the connection is cut without a reply. */
#define HTTP_BODY_DISCARD_MAX (8u << 20)
/* Idle seconds before a connection is closed: stops slow clients. */
#define HTTP_CONN_TIMEOUT_S 30
/* Open connections at once: the dashboard, the CLI and a few scripts. */
#define HTTP_CONN_LIMIT 256
/* Per-connection memory for the request line and headers (MHD's pool);
 * larger headers get MHD's own 431. */
#define HTTP_CONN_MEMORY (32u << 10)
/* Bytes asked of a stream's read_cb at a time (a log chunk). */
#define HTTP_STREAM_BLOCK (16u << 10)

/* Runs one backfill call may create. */
#define BACKFILL_MAX 10000

#endif
