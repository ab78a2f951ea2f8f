// SPDX-License-Identifier: MIT
/*
 * JSON parser on hostile text: within the default limits nothing crashes
 * or leaks, and whatever parses, written back by the writer, parses again
 * to an equal tree (the writer's output is valid JSON).
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>

#include "vmm/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_value v, again;
	struct json_writer w;

	if (json_parse((const char *)data, size, NULL, &v, NULL))
		return 0;
	jw_init(&w, 1 << 20);
	jw_value(&w, &v);
	assert(!w.failed);
	assert(json_parse(w.buf, w.len, &(struct json_limits){
		1 << 20, JSON_DEFAULT_MAX_DEPTH, JSON_DEFAULT_MAX_NODES },
		&again, NULL) == 0);
	assert(json_equal(&v, &again));
	json_free(&again);
	jw_free(&w);
	json_free(&v);
	return 0;
}
