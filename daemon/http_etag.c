/*
 * http_etag.c - conditional GETs for http.h: an entity tag is a 64-bit
 * FNV-1a hash of the reply's bytes, sent as ETag; a GET or HEAD whose
 * If-None-Match names it is answered 304 with no body. http_reply_json()
 * does this for every 200 JSON answer, api_web.c for the dashboard's
 * files, so a polling page costs a hash and no transfer while nothing
 * changes. Built on http.h's public calls only.
 */
#include <stdio.h>
#include <string.h>

#include "http.h"

static uint64_t fnv1a(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint64_t h = 0xcbf29ce484222325u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3u;
	return h;
}

void http_etag_of(const void *buf, size_t len, char out[HTTP_ETAG_LEN])
{
	snprintf(out, HTTP_ETAG_LEN, "\"%016llx\"", (unsigned long long)fnv1a(buf, len));
}

bool http_etag_match(const struct http_req *req, const char *etag)
{
	const char *h = http_header(req, "If-None-Match");
	size_t n = strlen(etag);

	if (!h)
		return false;
	while (*h) { /* a list "a", W/"b"; weak tags compare too (RFC 9110 13.1.2) */
		h += strspn(h, " \t,");
		if (strncmp(h, "W/", 2) == 0)
			h += 2;
		if (*h == '*' || (n && strncmp(h, etag, n) == 0 && strchr(" \t,", h[n])))
			return true;
		h += strcspn(h, ",");
	}
	return false;
}

bool http_reply_if_unchanged(struct http_req *req, const void *buf, size_t len,
			     const char *content_type)
{
	const char *m = http_method(req);
	char tag[HTTP_ETAG_LEN];

	if (strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0)
		return false;
	http_etag_of(buf, len, tag);
	if (http_add_header(req, "ETag", tag) != 0)
		return false; /* not reached: the tag is a valid header value */
	if (!http_etag_match(req, tag))
		return false;
	http_reply_data(req, 304, content_type, "", 0, false);
	return true;
}
