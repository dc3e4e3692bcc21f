// SPDX-License-Identifier: MIT
/*
 * The object of the hostile-input tests (tests/e2e/hostile.sh): one
 * byte_off relocation on struct hk.a. The decl tags only put strings into
 * .BTF that tests/tools/hostile.py points an access string at.
 */
#define SEC(n) __attribute__((section(n), used))
#define TAG(s) __attribute__((btf_decl_tag(s)))

struct hk {
	int a;
	int b;
} __attribute__((preserve_access_index));

/* 65 accessors: one more than libbpf's BPF_CORE_SPEC_MAX_LEN */
#define A8 "0:0:0:0:0:0:0:0:"
struct tags {
	int too_long TAG(A8 A8 A8 A8 A8 A8 A8 A8 "0");
	int malformed TAG("0::x");
	int negative TAG("0:-1");
	int huge TAG("0:99999999999");
};

struct tags tags SEC(".data");

SEC("kprobe/x")
int prog(struct hk *h)
{
	return h->a;
}

char LICENSE[] SEC("license") = "GPL";
