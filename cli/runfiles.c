/*
 * runfiles.c: --metrics, --metadata and the -S check; see runfiles.h.
 */
#include "config.h"

#include "cli/runfiles.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/bounds.h"
#include "common/strbuf.h"
#include "reports/json.h"

/* Binds one throw-away socket to addr. */
static int
try_bind(const struct sockaddr_storage *addr, socklen_t len, char *err, size_t errlen)
{
	char shown[INET6_ADDRSTRLEN];
	const void *a = addr->ss_family == AF_INET
	                    ? (const void *)&((const struct sockaddr_in *)addr)->sin_addr
	                    : (const void *)&((const struct sockaddr_in6 *)addr)->sin6_addr;
	int fd, rc = 0;

	if (inet_ntop(addr->ss_family, a, shown, sizeof(shown)) == NULL)
		snprintf(shown, sizeof(shown), "?");
	if ((fd = socket(addr->ss_family, SOCK_STREAM, 0)) < 0 ||
	    bind(fd, (const struct sockaddr *)addr, len) != 0) {
		snprintf(err, errlen, "--source-address: cannot bind to %s: %s", shown,
		         strerror(errno));
		rc = -1;
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

int
source_check(const struct probe_settings *p, char *err, size_t errlen)
{
	if (p->source4_len > 0 && try_bind(&p->source4, p->source4_len, err, errlen) != 0)
		return -1;
	if (p->source6_len > 0 && try_bind(&p->source6, p->source6_len, err, errlen) != 0)
		return -1;
	return 0;
}

void
metrics_print(FILE *fp, const struct run_facts *f)
{
	int v;

	fprintf(fp, "# HELP smtpprobe_targets Targets of the last run, by verdict.\n"
	            "# TYPE smtpprobe_targets gauge\n");
	for (v = 0; v < VERDICT_COUNT; v++)
		fprintf(fp, "smtpprobe_targets{verdict=\"%s\"} %zu\n",
		        verdict_name((enum verdict)v), f->verdicts[v]);
	fprintf(fp, "# HELP smtpprobe_skipped_targets Targets of the last run skipped, by reason.\n"
	            "# TYPE smtpprobe_skipped_targets gauge\n");
	for (v = 0; v < POLICY_SKIP_CLASSES; v++)
		fprintf(fp, "smtpprobe_skipped_targets{reason=\"%s\"} %zu\n",
		        policy_skip_class_name((enum skip_class)v), f->skipped[v]);
	if (f->has_baseline) {
		fprintf(fp,
		        "# HELP smtpprobe_newly_accepting_targets Targets accepting relay or "
		        "localhost RCPTs that did not in the baseline.\n"
		        "# TYPE smtpprobe_newly_accepting_targets gauge\n"
		        "smtpprobe_newly_accepting_targets %zu\n"
		        "# HELP smtpprobe_changed_targets Targets whose verdict changed since the "
		        "baseline.\n"
		        "# TYPE smtpprobe_changed_targets gauge\n"
		        "smtpprobe_changed_targets %zu\n",
		        f->newly_open, f->changed);
	}
	fprintf(fp,
	        "# HELP smtpprobe_last_run_duration_seconds How long the last run took.\n"
	        "# TYPE smtpprobe_last_run_duration_seconds gauge\n"
	        "smtpprobe_last_run_duration_seconds %.3f\n"
	        "# HELP smtpprobe_last_run_start_timestamp_seconds When the last run started.\n"
	        "# TYPE smtpprobe_last_run_start_timestamp_seconds gauge\n"
	        "smtpprobe_last_run_start_timestamp_seconds %.3f\n"
	        "# HELP smtpprobe_last_run_timestamp_seconds When the last run ended.\n"
	        "# TYPE smtpprobe_last_run_timestamp_seconds gauge\n"
	        "smtpprobe_last_run_timestamp_seconds %.3f\n"
	        "# HELP smtpprobe_last_run_exit_status The last run's exit status.\n"
	        "# TYPE smtpprobe_last_run_exit_status gauge\n"
	        "smtpprobe_last_run_exit_status %d\n",
	        f->secs, f->start, f->end, f->exit_status);
}

/* A JSON string of s on fp. */
static void
put_string(FILE *fp, const char *s)
{
	char buf[METADATA_ARG_MAX];
	struct strbuf sb;

	sb_init(&sb, buf, sizeof(buf));
	if (json_escape_string(s, strlen(s), &sb) != 0)
		fputs("\"\"", fp); /* an argument too long to show */
	else
		fwrite(sb.buf, 1, sb.len, fp);
}

void
metadata_print(FILE *fp, const struct run_facts *f, int argc, char **argv)
{
	int i, v;

	fprintf(fp, "{\"version\":");
	put_string(fp, PACKAGE_VERSION);
	fprintf(fp, ",\"options\":[");
	for (i = 1; i < argc; i++) {
		if (i > 1)
			fputc(',', fp);
		put_string(fp, argv[i]);
	}
	fprintf(fp, "],\"targets\":%zu,\"verdicts\":{", f->results);
	for (v = 0; v < VERDICT_COUNT; v++)
		fprintf(fp, "%s\"%s\":%zu", v > 0 ? "," : "", verdict_name((enum verdict)v),
		        f->verdicts[v]);
	fprintf(fp, "},\"skipped\":{");
	for (v = 0; v < POLICY_SKIP_CLASSES; v++)
		fprintf(fp, "%s\"%s\":%zu", v > 0 ? "," : "",
		        policy_skip_class_name((enum skip_class)v), f->skipped[v]);
	fprintf(fp, "}");
	if (f->has_baseline)
		fprintf(fp, ",\"newly_accepting\":%zu,\"changed\":%zu", f->newly_open, f->changed);
	fprintf(fp,
	        ",\"start\":%.3f,\"end\":%.3f,\"duration_seconds\":%.3f,\"rate\":%.1f,"
	        "\"exit_status\":%d}\n",
	        f->start, f->end, f->secs, f->secs > 0 ? (double)f->results / f->secs : 0.0,
	        f->exit_status);
}

int
runfile_write(const char *path, void (*print)(FILE *fp, void *arg), void *arg, char *err,
              size_t errlen)
{
	char tmp[RUNFILE_PATH_MAX];
	FILE *fp;
	int n = snprintf(tmp, sizeof(tmp), "%s.tmp", path);

	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		snprintf(err, errlen, "%s: name too long", path);
		return -1;
	}
	if ((fp = fopen(tmp, "w")) == NULL) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	print(fp, arg);
	if (ferror(fp) | (fclose(fp) != 0)) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno ? errno : EIO));
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}
