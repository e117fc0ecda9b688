// SPDX-License-Identifier: GPL-2.0
#include "test_run.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <bpf/bpf.h>

#include "series.h"

double test_run_single_median(struct table *t, int prog_fd,
			      const struct pkt *in, __u32 want_action,
			      size_t want_len)
{
	static double ns[TEST_RUN_SINGLES];
	static struct pkt out;

	for (int i = 0; i < TEST_RUN_SINGLES; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in->data,
			    .data_size_in = in->len, .data_out = out.data,
			    .data_size_out = sizeof(out.data), .repeat = 1);

		if (bpf_prog_test_run_opts(prog_fd, &opts)) {
			table_error(t, "test run failed: %s", strerror(errno));
			return NAN;
		}
		if (opts.retval != want_action ||
		    (want_len && opts.data_size_out != want_len)) {
			table_error(t,
				    "a run returned %u with %u bytes, not %u "
				    "with %zu",
				    opts.retval, opts.data_size_out,
				    want_action, want_len);
			return NAN;
		}
		ns[i] = opts.duration;
	}
	return median_of(ns, TEST_RUN_SINGLES);
}
