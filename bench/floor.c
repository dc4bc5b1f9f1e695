/*
 * floor.c: the floor smtpprobe's CPU per dialogue is measured against.
 *
 * A bare epoll client, no libevent, no parsing beyond finding the end of a
 * reply ("NNN " at the start of the last line, then CRLF), that holds the
 * same lock-step dialogue as `smtpprobe --tests basic`: greeting, EHLO, three
 * MAIL/RCPT/RSET transactions, QUIT. It records nothing and checks nothing:
 * whatever smtpprobe spends above this is the price of its parsing, state,
 * timers and reports. With as many transactions as `--tests full` has
 * relay tests (bench/scale.sh counts them from a run) it holds that
 * dialogue (the basic three addresses, in turn): how fast any lock-step
 * client could go against a server.
 *
 *   floor TARGETS CONCURRENCY [TRANSACTIONS]
 *         (TARGETS: one ip:port a line, IPv4 only; TRANSACTIONS: 3, 1 to 20)
 *
 * A benchmark tool, built on demand (make bench/floor); loopback only.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define FLOOR_BUF 8192

#define FLOOR_TRANSACTIONS_MAX 20 /* RCPTS_PER_CONNECTION */

/* The basic tests' transactions, used in turn. */
static const char *const transaction[][3] = {
    {"MAIL FROM:<probe@example.com>\r\n", "RCPT TO:<relay-test@example.net>\r\n", "RSET\r\n"},
    {"MAIL FROM:<probe@localhost>\r\n", "RCPT TO:<probe@localhost>\r\n", "RSET\r\n"},
    {"MAIL FROM:<probe@example.com>\r\n", "RCPT TO:<postmaster>\r\n", "RSET\r\n"},
};
#define NTRANSACTION (sizeof(transaction) / sizeof(transaction[0]))

static size_t steps; /* commands of one dialogue: EHLO, 3 per transaction, QUIT */

/* The command of step k. */
static const char *
command(size_t k)
{
	if (k == 0)
		return "EHLO floor.example.com\r\n";
	if (k == steps - 1)
		return "QUIT\r\n";
	return transaction[((k - 1) / 3) % NTRANSACTION][(k - 1) % 3];
}

struct conn {
	int fd;
	size_t step; /* replies received so far */
	size_t len;
	char buf[FLOOR_BUF];
};

static struct sockaddr_in *targets;
static size_t ntargets, next_target, done, failed;

/* 1 when buf holds a complete reply: its last line is "NNN ...CRLF". */
static int
reply_complete(const char *buf, size_t len)
{
	size_t start;

	if (len < 5 || buf[len - 2] != '\r' || buf[len - 1] != '\n')
		return 0;
	for (start = len - 2; start > 0 && buf[start - 1] != '\n'; start--)
		;
	return len - start >= 4 && buf[start + 3] == ' ';
}

static int
conn_start(int ep, struct conn *c)
{
	struct epoll_event ev = {0};

	while (next_target < ntargets) {
		struct sockaddr_in *sa = &targets[next_target++];

		c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		c->step = 0;
		c->len = 0;
		if (connect(c->fd, (struct sockaddr *)sa, sizeof(*sa)) < 0 &&
		    errno != EINPROGRESS) {
			close(c->fd);
			failed++;
			continue;
		}
		ev.events = EPOLLIN;
		ev.data.ptr = c;
		epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
		return 1;
	}
	c->fd = -1;
	return 0;
}

int
main(int argc, char **argv)
{
	struct epoll_event evs[256];
	struct conn *conns;
	size_t cap = 1024, i, conc, active = 0, transactions = NTRANSACTION;
	char line[128];
	FILE *f;
	int ep;

	if (argc == 4)
		transactions = strtoul(argv[3], NULL, 10);
	if (argc < 3 || argc > 4 || transactions < 1 || transactions > FLOOR_TRANSACTIONS_MAX ||
	    (f = fopen(argv[1], "r")) == NULL) {
		fprintf(stderr, "usage: floor TARGETS CONCURRENCY [TRANSACTIONS]\n");
		return 2;
	}
	steps = 2 + 3 * transactions;
	conc = strtoul(argv[2], NULL, 10);
	targets = malloc(cap * sizeof(*targets));
	while (fgets(line, sizeof(line), f) != NULL) {
		char *colon = strchr(line, ':');

		if (colon == NULL)
			continue;
		*colon = '\0';
		if (ntargets == cap)
			targets = realloc(targets, (cap *= 2) * sizeof(*targets));
		memset(&targets[ntargets], 0, sizeof(targets[0]));
		targets[ntargets].sin_family = AF_INET;
		targets[ntargets].sin_port = htons((unsigned short)atoi(colon + 1));
		if (inet_pton(AF_INET, line, &targets[ntargets].sin_addr) == 1)
			ntargets++;
	}
	fclose(f);
	ep = epoll_create1(0);
	conns = calloc(conc, sizeof(*conns));
	for (i = 0; i < conc; i++)
		active += conn_start(ep, &conns[i]);
	while (active > 0) {
		int n = epoll_wait(ep, evs, 256, 10000), k;

		if (n <= 0)
			break;
		for (k = 0; k < n; k++) {
			struct conn *c = evs[k].data.ptr;
			ssize_t r = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);

			if (r > 0)
				c->len += (size_t)r;
			if (r > 0 && !reply_complete(c->buf, c->len))
				continue;
			if (r > 0 && c->step < steps) {
				const char *cmd = command(c->step++);

				c->len = 0;
				if (write(c->fd, cmd, strlen(cmd)) > 0)
					continue;
			}
			/* QUIT answered, the peer closed, or an error: next target. */
			if (c->step == steps)
				done++;
			else
				failed++;
			close(c->fd);
			if (!conn_start(ep, c))
				active--;
		}
	}
	printf("floor: %zu dialogues, %zu failed\n", done, failed);
	free(conns);
	free(targets);
	return 0;
}
