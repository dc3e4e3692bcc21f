/* Example CO-RE program: TCP connection fields, as tcpconnect-like tools read. */
#include "../progs/core_min.h"

typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned char u8;
typedef u32 __be32;
typedef u16 __be16;

struct in6_addr {
	u8 s6_addr[16];
} __pai;

struct sock_common {
	union {
		struct {
			__be32 skc_daddr;
			__be32 skc_rcv_saddr;
		};
	};
	union {
		struct {
			__be16 skc_dport;
			u16 skc_num;
		};
	};
	unsigned short skc_family;
	struct in6_addr skc_v6_daddr;
} __pai;

struct sock {
	struct sock_common __sk_common;
	u16 sk_protocol;
	int sk_rcvbuf;
} __pai;

struct inet_sock {
	struct sock sk;
	__be16 inet_sport;
} __pai;

struct tcp_sock {
	u32 srtt_us;
	u32 snd_cwnd;
} __pai;

struct sk_buff {
	unsigned int len;
	unsigned int data_len;
	u16 protocol;
} __pai;

SEC("kprobe/tcp_v4_connect")
long handle_connect(struct sock *sk)
{
	long r = 0;

	r += sk->__sk_common.skc_daddr + sk->__sk_common.skc_rcv_saddr;
	r += sk->__sk_common.skc_dport + sk->__sk_common.skc_num;
	r += sk->__sk_common.skc_family;
	r += sk->__sk_common.skc_v6_daddr.s6_addr[3];
	r += ((struct inet_sock *)sk)->inet_sport;
	r += ((struct tcp_sock *)sk)->srtt_us >> 3;
	r += core_field_size(sk->sk_protocol) + core_field_signed(sk->sk_rcvbuf);
	r += core_field_lshift(sk->sk_protocol) + core_field_rshift(sk->sk_protocol);
	if (core_field_exists(((struct tcp_sock *)sk)->snd_cwnd))
		r += ((struct tcp_sock *)sk)->snd_cwnd;
	return r;
}

SEC("tp_btf/net_dev_queue")
long handle_skb(struct sk_buff *skb)
{
	return skb->len + skb->data_len + skb->protocol;
}

LICENSE;
