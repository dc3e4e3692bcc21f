// SPDX-License-Identifier: MIT
/*
 * match.c - which entry of a collection is this host's kernel BTF.
 *
 * The steps, in order; the first that finds an entry picks it:
 *
 *   1. exact      ID/VERSION_ID/arch/release
 *   2. major      ID/<VERSION_ID up to its first '.'>/arch/release: how BTFHub
 *                 files RHEL, CentOS and Oracle Linux (8.4 -> 8)
 *   3. ID_LIKE    each ID of ID_LIKE in order, with steps 1-2 (Rocky or
 *                 AlmaLinux -> rhel, centos; a derivative -> its parent), noted
 *   4. release    the release's file name anywhere in the collection, for the
 *                 host's arch only: one match is used (noted: os-release did
 *                 not lead there); several are narrowed by the release's own
 *                 markers (.el7/.el8 -> RHEL family of that major, uek -> ol,
 *                 .amznN -> amzn/N, .debN/+debN -> debian/N, .fcN -> fedora/N);
 *                 still several -> no pick
 *   5. nearest    only when asked (allow_nearest): same ID, VERSION_ID (or its
 *                 major) and arch, the release sharing the longest prefix and
 *                 at least the upstream version ("5.4.0" of "5.4.0-73-generic"),
 *                 with a warning: BTFHub's maintainers give no guarantee that
 *                 struct layouts match across releases
 *
 * Architectures compare through hub_arch_eq() (arm64 = aarch64, x86_64 =
 * amd64). Entries whose path gives no arch never match: a BTF of the wrong
 * architecture would load and then read the wrong offsets.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hub/hub.h"

const char *hub_step_name(enum hub_step s)
{
	switch (s) {
	case HUB_STEP_EXACT: return "exact";
	case HUB_STEP_MAJOR: return "major";
	case HUB_STEP_ID_LIKE: return "id_like";
	case HUB_STEP_RELEASE: return "release";
	default: return "nearest";
	}
}

static struct hub_match_step *add_step(struct hub_match *m, enum hub_step s)
{
	struct hub_match_step *st;

	if (m->nr_steps == HUB_MATCH_MAX_STEPS)
		st = &m->steps[HUB_MATCH_MAX_STEPS - 1];	/* the last slot is reused */
	else
		st = &m->steps[m->nr_steps++];
	memset(st, 0, sizeof(*st));
	st->step = s;
	return st;
}

static bool eq_opt(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/* The first entry with exactly that key (arch aliases equal). */
static long find_key(const struct hub_coll *c, const char *id, const char *ver, const char *arch,
		     const char *release)
{
	size_t i;

	for (i = 0; i < c->t.n; i++) {
		const struct hub_key *k = &c->t.v[i].key;

		if (eq_opt(k->release, release) && eq_opt(k->id, id) &&
		    eq_opt(k->version_id, ver) && hub_arch_eq(k->arch, arch))
			return (long)i;
	}
	return -1;
}

/* Steps 1-2 for ID @id: exact VERSION_ID, then its major. */
static long try_id(const struct hub_coll *c, const struct hub_host *h, const char *id,
		   enum hub_step s_exact, struct hub_match *m)
{
	const char *ver = h->osr.version_id, *dot = strchr(ver, '.');
	struct hub_match_step *st;
	char major[HUB_OSR_VALUE_MAX];
	long i;

	st = add_step(m, s_exact);
	snprintf(st->tried, sizeof(st->tried), "%.64s/%.64s/%.64s/%.200s", id, ver,
		 hub_arch_canon(h->arch), h->release);
	i = find_key(c, id, ver, h->arch, h->release);
	if (i >= 0) {
		st->found = true;
		snprintf(st->result, sizeof(st->result), "found %.400s", c->t.v[i].path);
		return i;
	}
	snprintf(st->result, sizeof(st->result), "not in the collection");
	st = add_step(m, s_exact == HUB_STEP_EXACT ? HUB_STEP_MAJOR : s_exact);
	if (!dot) {
		snprintf(st->tried, sizeof(st->tried), "%.64s/<major of %.64s>/%.64s/%.200s", id, ver,
			 hub_arch_canon(h->arch), h->release);
		snprintf(st->result, sizeof(st->result), "skipped: VERSION_ID %.64s has no minor part",
			 ver);
		return -1;
	}
	snprintf(major, sizeof(major), "%.*s", (int)(dot - ver), ver);
	snprintf(st->tried, sizeof(st->tried), "%.64s/%.64s/%.64s/%.200s", id, major,
		 hub_arch_canon(h->arch), h->release);
	i = find_key(c, id, major, h->arch, h->release);
	if (i >= 0) {
		st->found = true;
		snprintf(st->result, sizeof(st->result), "found %.400s", c->t.v[i].path);
		return i;
	}
	snprintf(st->result, sizeof(st->result), "not in the collection");
	return -1;
}

/*
 * What a release string says of its distribution: RHEL-family ".el8" (ids
 * of that family, major 8), "uek" (ol), ".amzn2" (amzn 2), ".deb10" or
 * "+deb12" (debian), ".fc31" (fedora).
 */
struct marker {
	const char *ids[6];
	char version[16];	/* "" when the marker does not say */
};

/* The digits right after the first occurrence of one of @pats in @s that has some. */
static bool marker_num(const char *s, const char *const *pats, size_t nr, char *out, size_t n)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		const char *p = s;

		while ((p = strstr(p, pats[i]))) {
			const char *d = p + strlen(pats[i]);
			size_t len = 0;

			while (d[len] >= '0' && d[len] <= '9')
				len++;
			if (len && len < n) {
				memcpy(out, d, len);
				out[len] = '\0';
				return true;
			}
			p++;
		}
	}
	return false;
}

static bool release_marker(const char *rel, struct marker *mk)
{
	static const char *const el[] = { ".el" }, *const amzn[] = { ".amzn" },
			  *const deb[] = { ".deb", "+deb" }, *const fc[] = { ".fc" };

	memset(mk, 0, sizeof(*mk));
	if (strstr(rel, "uek")) {
		mk->ids[0] = "ol";
		marker_num(rel, el, 1, mk->version, sizeof(mk->version));
		return true;
	}
	if (marker_num(rel, el, 1, mk->version, sizeof(mk->version))) {
		static const char *const rhel[] = { "rhel", "centos", "ol", "almalinux", "rocky" };

		memcpy(mk->ids, rhel, sizeof(rhel));
		return true;
	}
	if (marker_num(rel, amzn, 1, mk->version, sizeof(mk->version))) {
		mk->ids[0] = "amzn";
		return true;
	}
	if (marker_num(rel, deb, 2, mk->version, sizeof(mk->version))) {
		mk->ids[0] = "debian";
		return true;
	}
	if (marker_num(rel, fc, 1, mk->version, sizeof(mk->version))) {
		mk->ids[0] = "fedora";
		return true;
	}
	return false;
}

static bool marker_fits(const struct marker *mk, const struct hub_key *k)
{
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(mk->ids) && mk->ids[i]; i++) {
		if (!eq_opt(k->id, mk->ids[i]))
			continue;
		if (!mk->version[0])
			return true;
		/* the key's VERSION_ID, or its major part */
		n = strlen(mk->version);
		return k->version_id && !strncmp(k->version_id, mk->version, n) &&
		       (k->version_id[n] == '\0' || k->version_id[n] == '.');
	}
	return false;
}

/* Step 4: the release anywhere, for this arch. */
static long try_release(const struct hub_coll *c, const struct hub_host *h, struct hub_match *m)
{
	struct hub_match_step *st = add_step(m, HUB_STEP_RELEASE);
	struct marker mk;
	size_t i, n = 0, nk = 0;
	long first = -1, kept = -1;

	snprintf(st->tried, sizeof(st->tried), "*/*/%.64s/%.200s", hub_arch_canon(h->arch), h->release);
	for (i = 0; i < c->t.n; i++) {
		const struct hub_key *k = &c->t.v[i].key;

		if (!eq_opt(k->release, h->release) || !hub_arch_eq(k->arch, h->arch))
			continue;
		if (!n++)
			first = (long)i;
	}
	if (n == 1) {
		st->found = true;
		snprintf(st->result, sizeof(st->result), "found %.400s (the only one of that release)",
			 c->t.v[first].path);
		return first;
	}
	if (!n) {
		snprintf(st->result, sizeof(st->result), "not in the collection");
		return -1;
	}
	if (release_marker(h->release, &mk)) {
		for (i = 0; i < c->t.n; i++) {
			const struct hub_key *k = &c->t.v[i].key;

			if (eq_opt(k->release, h->release) && hub_arch_eq(k->arch, h->arch) &&
			    marker_fits(&mk, k) && !nk++)
				kept = (long)i;
		}
		if (nk == 1) {
			st->found = true;
			snprintf(st->result, sizeof(st->result),
				 "found %.300s (%zu of that release; the release's marker says %s%s%s)",
				 c->t.v[kept].path, n, mk.ids[0], mk.version[0] ? " " : "", mk.version);
			return kept;
		}
	}
	snprintf(st->result, sizeof(st->result),
		 "%zu entries of that release (%.300s, ...) and nothing in the release tells them apart",
		 n, c->t.v[first].path);
	return -1;
}

static size_t common_prefix(const char *a, const char *b)
{
	size_t n = 0;

	while (a[n] && a[n] == b[n])
		n++;
	return n;
}

static size_t common_suffix(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b), n = 0;

	while (n < na && n < nb && a[na - 1 - n] == b[nb - 1 - n])
		n++;
	return n;
}

/* The upstream version's length: "5.4.0" of "5.4.0-73-generic". */
static size_t upstream_len(const char *rel)
{
	size_t n = strcspn(rel, "-+_");

	return n ? n : strlen(rel);
}

/* Step 5: same ID, VERSION_ID (or major) and arch, longest common release prefix. */
static long try_nearest(const struct hub_coll *c, const struct hub_host *h, struct hub_match *m)
{
	struct hub_match_step *st = add_step(m, HUB_STEP_NEAREST);
	const char *ver = h->osr.version_id;
	size_t i, best_p = 0, best_s = 0, need = upstream_len(h->release);
	size_t vlen = strcspn(ver, ".");
	long best = -1;

	snprintf(st->tried, sizeof(st->tried), "%.64s/%.64s/%.64s/<release sharing the longest "
		 "prefix with %.200s>", h->osr.id, ver, hub_arch_canon(h->arch), h->release);
	for (i = 0; i < c->t.n; i++) {
		const struct hub_key *k = &c->t.v[i].key;
		size_t p, sfx;

		if (!eq_opt(k->id, h->osr.id) || !hub_arch_eq(k->arch, h->arch) || !k->version_id ||
		    !k->release)
			continue;
		/* the same VERSION_ID, or the entry is filed under its major */
		if (strcmp(k->version_id, ver) &&
		    (strlen(k->version_id) != vlen || strncmp(k->version_id, ver, vlen)))
			continue;
		/* the same upstream version: "4.4.10" is not "4.4.103" */
		if (upstream_len(k->release) != need || strncmp(k->release, h->release, need))
			continue;
		p = common_prefix(k->release, h->release);
		sfx = common_suffix(k->release, h->release);
		if (best < 0 || p > best_p || (p == best_p && sfx > best_s)) {
			best = (long)i;
			best_p = p;
			best_s = sfx;
		}
	}
	if (best < 0) {
		snprintf(st->result, sizeof(st->result),
			 "no entry of that distribution and arch with upstream version %.*s",
			 (int)need, h->release);
		return -1;
	}
	st->found = true;
	snprintf(st->result, sizeof(st->result), "found %.300s (release %.150s shares %zu characters)",
		 c->t.v[best].path, c->t.v[best].key.release, best_p);
	snprintf(m->warning, sizeof(m->warning),
		 "%.200s is the BTF of kernel %.100s, not of %.100s: the nearest release (--allow-nearest); "
		 "struct layouts may differ between releases",
		 c->t.v[best].path, c->t.v[best].key.release, h->release);
	return best;
}

/* No pick: the host facts and up to three closest entries of the host's arch. */
static void explain_no_pick(const struct hub_coll *c, const struct hub_host *h,
			    struct hub_match *m)
{
	long top[3] = { -1, -1, -1 };
	size_t score[3] = { 0, 0, 0 }, i, j, len;

	for (i = 0; i < c->t.n; i++) {
		const struct hub_key *k = &c->t.v[i].key;
		size_t s;

		if (!k->release || !hub_arch_eq(k->arch, h->arch))
			continue;
		/* the same distribution first, then the longest common release prefix */
		s = (eq_opt(k->id, h->osr.id) ? 1000 : 0) + common_prefix(k->release, h->release);
		for (j = 0; j < 3; j++) {
			if (top[j] < 0 || s > score[j]) {
				memmove(top + j + 1, top + j, (2 - j) * sizeof(top[0]));
				memmove(score + j + 1, score + j, (2 - j) * sizeof(score[0]));
				top[j] = (long)i;
				score[j] = s;
				break;
			}
		}
	}
	len = (size_t)snprintf(m->why, sizeof(m->why),
			       "no BTF for this kernel (ID=%.64s VERSION_ID=%.64s%s%.128s arch=%.64s release=%.200s%s) "
			       "among %zu entries",
			       h->osr.id[0] ? h->osr.id : "?",
			       h->osr.version_id[0] ? h->osr.version_id : "?",
			       h->osr.id_like[0] ? " ID_LIKE=" : "", h->osr.id_like,
			       h->arch, h->release, h->have_os_release ? "" : ", no os-release",
			       c->t.n);
	for (j = 0; j < 3 && top[j] >= 0 && len < sizeof(m->why); j++)
		len += (size_t)snprintf(m->why + len, sizeof(m->why) - len, "%s%.250s",
					j ? ", " : "; closest: ", c->t.v[top[j]].path);
	if (top[0] < 0 && len < sizeof(m->why))
		snprintf(m->why + len, sizeof(m->why) - len, "; none for arch %.64s",
			 hub_arch_canon(h->arch));
}

int hub_match(const struct hub_coll *c, const struct hub_host *h, const struct hub_match_opts *o,
	      struct hub_match *m)
{
	const char *id = h->osr.id;
	long pick = -1;

	memset(m, 0, sizeof(*m));
	m->pick = -1;
	if (id[0] && h->osr.version_id[0]) {
		pick = try_id(c, h, id, HUB_STEP_EXACT, m);
		m->by = pick >= 0 && m->steps[m->nr_steps - 1].step == HUB_STEP_MAJOR ?
				HUB_STEP_MAJOR : HUB_STEP_EXACT;
	} else {
		struct hub_match_step *st = add_step(m, HUB_STEP_EXACT);

		snprintf(st->tried, sizeof(st->tried), "ID/VERSION_ID/%s/%s",
			 hub_arch_canon(h->arch), h->release);
		snprintf(st->result, sizeof(st->result), "skipped: %s",
			 !h->have_os_release ? "no os-release" :
			 !id[0] ? "os-release has no ID" : "os-release has no VERSION_ID");
	}
	/* 3. ID_LIKE, in order */
	if (pick < 0 && h->osr.version_id[0]) {
		const char *p = h->osr.id_like;

		while (pick < 0 && *p) {
			char like[HUB_OSR_VALUE_MAX];
			size_t n;

			p += strspn(p, " \t");
			n = strcspn(p, " \t");
			if (!n)
				break;
			snprintf(like, sizeof(like), "%.*s", (int)n, p);
			p += n;
			pick = try_id(c, h, like, HUB_STEP_ID_LIKE, m);
			if (pick >= 0) {
				m->by = HUB_STEP_ID_LIKE;
				snprintf(m->note, sizeof(m->note),
					 "%.300s found through ID_LIKE: the host is %.64s %.64s, like %.64s",
					 c->t.v[pick].path, id[0] ? id : "?", h->osr.version_id, like);
			}
		}
	}
	/* 4. the release anywhere */
	if (pick < 0) {
		pick = try_release(c, h, m);
		if (pick >= 0) {
			m->by = HUB_STEP_RELEASE;
			snprintf(m->note, sizeof(m->note),
				 "%.300s found by its release alone: os-release (ID=%.64s VERSION_ID=%.64s) did "
				 "not lead there", c->t.v[pick].path, id[0] ? id : "?",
				 h->osr.version_id[0] ? h->osr.version_id : "?");
		}
	}
	/* 5. nearest, only when asked */
	if (pick < 0 && o && o->allow_nearest && id[0] && h->osr.version_id[0]) {
		pick = try_nearest(c, h, m);
		if (pick >= 0)
			m->by = HUB_STEP_NEAREST;
	}
	m->pick = pick;
	if (pick < 0) {
		explain_no_pick(c, h, m);
		return -ENOENT;
	}
	return 0;
}
