/*
 * api_web.c - the dashboard: GET / answers web/index.html, GET
 * /static/NAME the other files of web/, all from the table embedded at
 * build time (web_assets.h), so no request path reaches the filesystem.
 * Every answer has an ETag (a hash of the bytes) and Cache-Control:
 * no-cache, so a browser revalidates and gets 304 until the binary
 * changes; a Content-Security-Policy keeps the page to this origin. An
 * unknown name is the usual JSON 404.
 */
#include <stdio.h>
#include <string.h>

#include "api_internal.h"
#include "web_assets.h"

/* Only this origin: scripts, styles, fetches, images (and data: images). */
#define WEB_CSP                                                                        \
	"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "    \
	"img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; " \
	"frame-ancestors 'none'"

static const struct web_asset *find_asset(const char *name)
{
	for (size_t i = 0; i < web_n_assets; i++)
		if (web_assets[i].path && strcmp(web_assets[i].path, name) == 0)
			return &web_assets[i];
	return NULL;
}

static void reply_asset(struct http_req *req, const struct web_asset *w)
{
	api_header(req, "Cache-Control", "no-cache");
	api_header(req, "X-Content-Type-Options", "nosniff");
	if (strncmp(w->type, "text/html", 9) == 0) {
		api_header(req, "Content-Security-Policy", WEB_CSP);
		api_header(req, "Referrer-Policy", "no-referrer");
	}
	if (!http_reply_if_unchanged(req, w->data, w->len, w->type))
		http_reply_data(req, 200, w->type, w->data, w->len, false);
}

void api_index(struct api *a, struct http_req *req)
{
	const struct web_asset *w = find_asset("index.html");

	(void)a;
	if (!w) {
		http_reply_error(req, 404, "not_found", "this build has no dashboard");
		return;
	}
	reply_asset(req, w);
}

void api_static(struct api *a, struct http_req *req, const char *name)
{
	const struct web_asset *w = find_asset(name);

	(void)a;
	if (!w) {
		char detail[300];
		snprintf(detail, sizeof(detail), "no file '%s' in the dashboard", name);
		http_reply_error(req, 404, "not_found", detail);
		return;
	}
	reply_asset(req, w);
}
