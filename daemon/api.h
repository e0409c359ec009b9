/*
 * api.h - the REST API and dashboard of DESIGN.md section 6 on top of the
 * HTTP layer (http.h): routes requests to handlers that read the store and
 * the registry and act through the engine.
 */
#ifndef DAGD_API_H
#define DAGD_API_H

#include <stddef.h>

struct dagd;
struct api;

/* Listen on d->cfg->listen; 0, or a negative code with a message in err. */
int api_start(struct dagd *d, struct api **out, char *err, size_t errlen);
void api_stop(struct api *a);
/* Wake every log follower (a try changed state: a stream may end). */
void api_logs_wake_all(void);
/* The bound port (for listen ...:0). */
int api_port(const struct api *a);

#endif
