/*
 * bench/query's HTTP/1.1 client: one keep-alive socket per thread to a
 * loopback port, one request at a time, Content-Length or chunked
 * responses. As lean as bench/ingest/loadgen.c's, so that the two cores
 * go to the server and the database rather than to the client.
 */
#ifndef BENCH_QUERY_HTTP1_H
#define BENCH_QUERY_HTTP1_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

struct h1 {
	int fd;
	int port;
	char *buf; /* the last response, NUL-terminated */
	size_t cap, have;
	const char *body; /* into buf */
	size_t body_len;
};

static int
h1_port(const char *url)
{
	const char *p = strstr(url, "://");

	p = p ? p + 3 : url;
	p = strchr(p, ':');
	return p ? atoi(p + 1) : 80;
}

static int
h1_connect(struct h1 *c)
{
	struct sockaddr_in sa;
	int one = 1;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)c->port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((c->fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	return 0;
}

static int
h1_open(struct h1 *c, const char *url)
{
	memset(c, 0, sizeof(*c));
	c->port = h1_port(url);
	c->cap = 1 << 20;
	c->buf = malloc(c->cap);
	return c->buf ? h1_connect(c) : -1;
}

static void
h1_close(struct h1 *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	c->buf = NULL;
}

static int
h1_fill(struct h1 *c)
{
	ssize_t r;

	if (c->cap - c->have < 65536) {
		char *nb = realloc(c->buf, c->cap * 2);

		if (nb == NULL)
			return -1;
		c->buf = nb;
		c->cap *= 2;
	}
	if ((r = read(c->fd, c->buf + c->have, c->cap - 1 - c->have)) <= 0)
		return -1;
	c->have += (size_t)r;
	c->buf[c->have] = '\0';
	return 0;
}

static int
h1_write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * One exchange; returns the status (0 when the connection broke: it is
 * reopened for the next call). A chunked body is left as it came (the
 * benchmark counts bytes and checks statuses, it does not parse it).
 */
static int
h1_request(struct h1 *c, const char *method, const char *path,
           const char *headers, const char *body, size_t len)
{
	char head[8192];
	size_t hlen, want;
	char *end, *cl, *te;
	int n;

	if (c->fd < 0 && h1_connect(c) != 0)
		return 0;
	n = snprintf(head, sizeof(head),
	             "%s %s HTTP/1.1\r\nHost: bench\r\n%s"
	             "Content-Length: %zu\r\n\r\n",
	             method, path, headers ? headers : "", len);
	if (n <= 0 || (size_t)n >= sizeof(head))
		return 0;
	if (h1_write_all(c->fd, head, (size_t)n) != 0 ||
	    (len && h1_write_all(c->fd, body, len) != 0))
		goto broken;
	c->have = 0;
	for (;;) {
		if (h1_fill(c) != 0)
			goto broken;
		if ((end = strstr(c->buf, "\r\n\r\n")) != NULL)
			break;
	}
	hlen = (size_t)(end + 4 - c->buf);
	*end = '\0'; /* search the head only */
	cl = strcasestr(c->buf, "\r\nContent-Length:");
	te = strcasestr(c->buf, "\r\nTransfer-Encoding: chunked");
	*end = '\r';
	if (cl != NULL) {
		want = hlen + strtoul(cl + 17, NULL, 10);
		while (c->have < want)
			if (h1_fill(c) != 0)
				goto broken;
	} else if (te != NULL) {
		/* the last chunk: "0\r\n\r\n" at the end of what was read */
		while (c->have < hlen + 5 ||
		       memcmp(c->buf + c->have - 5, "0\r\n\r\n", 5) != 0)
			if (h1_fill(c) != 0)
				goto broken;
		want = c->have;
	} else {
		want = hlen;
	}
	c->body = c->buf + hlen;
	c->body_len = want - hlen;
	c->buf[want < c->have ? want : c->have] = '\0';
	return atoi(c->buf + 9);
broken:
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	return 0;
}

#endif
