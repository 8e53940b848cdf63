/* A minimal HTTP/1.x server on a libuv loop, enough to stand in for the gateway.
 * The server owns its connections and every byte buffer; a request handler answers through
 * the httpd_respond / httpd_stream_* calls, at once or later from a timer. A request and its
 * strings live only during the handler call: copy what you keep. */
#ifndef SIM_HTTPD_H
#define SIM_HTTPD_H

#include <stddef.h>
#include <uv.h>

#define HTTPD_MAX_HEAD (16 * 1024)   /* larger request heads get 431 */
#define HTTPD_MAX_BODY (1024 * 1024) /* larger bodies get 413 */

struct httpd;
struct httpd_conn;

struct httpd_header {
    const char *name;
    const char *value;
};

struct httpd_req {
    const char *method;
    const char *path;  /* target up to '?' */
    const char *query; /* after '?', "" when none */
    int minor;         /* HTTP/1.minor */
    const struct httpd_header *headers;
    size_t nheaders;
    const char *body; /* NUL-terminated copy, body_len bytes */
    size_t body_len;
};

typedef void httpd_request_cb(void *arg, struct httpd_conn *conn, const struct httpd_req *req);
/* The client went away (or the server was force-closed) while a stream was open: the stream's
 * owner must forget the connection; it is not valid after this call. */
typedef void httpd_abort_cb(void *arg);
typedef void httpd_closed_cb(void *arg);

/* Listens on "HOST:PORT" (IPv4, "[IPv6]:PORT" or "localhost"); port 0 picks a free one.
 * On failure the half-made server is being closed: run the loop to release it. */
int httpd_new(uv_loop_t *loop, const char *hostport, httpd_request_cb *cb, void *arg,
              struct httpd **out, char *err, size_t errlen);
/* The bound address as "HOST:PORT" ("[::1]:PORT" for IPv6). */
int httpd_local_addr(const struct httpd *h, char *buf, size_t len);
/* Stops accepting; open connections keep being served. */
void httpd_stop_listening(struct httpd *h);
/* Closes every connection: gracefully (after open streams end and writes drain) or by force
 * (aborting streams). Frees the server and calls done once every handle is closed (this may
 * happen before httpd_close returns). */
void httpd_close(struct httpd *h, int force, httpd_closed_cb *done, void *arg);
/* Number of connections currently open. */
size_t httpd_conn_count(const struct httpd *h);

/* Case-insensitive header lookup; NULL when absent. */
const char *httpd_req_header(const struct httpd_req *req, const char *name);

/* A whole response with Content-Length. */
void httpd_respond(struct httpd_conn *c, int status, const char *ctype, const char *body,
                   size_t len);
/* Who to tell when the client leaves before the answer is complete (streams, delayed answers). */
void httpd_set_abort(struct httpd_conn *c, httpd_abort_cb *abort, void *arg);
/* Sends the status and headers now; the body follows in httpd_stream_write calls (chunked on
 * HTTP/1.1, close-delimited on HTTP/1.0). */
void httpd_stream_begin(struct httpd_conn *c, int status, const char *ctype);
void httpd_stream_write(struct httpd_conn *c, const char *data, size_t len);
void httpd_stream_end(struct httpd_conn *c);

#endif
