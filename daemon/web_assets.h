/*
 * web_assets.h - the dashboard's files (web/), embedded into the binary at
 * build time by daemon/embed_web.sh ($(BUILD)/gen/web.c) and served from
 * memory by api_web.c: no path of a request ever reaches the filesystem.
 */
#ifndef DAGD_WEB_ASSETS_H
#define DAGD_WEB_ASSETS_H

#include <stddef.h>

struct web_asset {
	const char *path;          /* file name under web/ ("index.html") */
	const char *type;          /* Content-Type ("text/javascript; charset=utf-8") */
	const unsigned char *data; /* len bytes (and a NUL after them) */
	size_t len;
};

/* Sorted by path (the Makefile sorts the files); web_n_assets entries. */
extern const struct web_asset web_assets[];
extern const size_t web_n_assets;

#endif
