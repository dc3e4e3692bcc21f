/* Has .BTF but no .BTF.ext (no code, only data): bpftool fails with
 * "failed to parse BPF object '...': section .BTF.ext not found". */
#include "core_min.h"

struct only_data {
	int a;
};

struct only_data g_only_data;

LICENSE;
