/*
 * Geometric pack merging, a little at a time (mf_gitrepo_maintain). Every
 * flush adds a pack, and every pack is one more index to search for each
 * object read and one more file for a dumb-HTTP clone to fetch. Packs are
 * kept in a geometric progression by size (each at least twice the one
 * below it) by merging the smallest ones, as `git repack --geometric=2`
 * does: a byte is copied O(log n) times over the repository's life, and
 * there are O(log n) packs. A merge copies each entry's compressed bytes
 * (packfile.c), deltas included: a delta keeps its base when the
 * base comes from the same source pack (an offset delta is rewritten to
 * name its base by id), and is stored whole otherwise, so that no chain
 * can cross packs or loop. It runs in slices of a time budget between
 * flushes, so even the rare merge of everything never holds up a
 * publication for long. The merged packs then leave objects/info/packs
 * and stay on disk for the grace period (mf_gitrepo_prune_packs, at every
 * mf_gitrepo_maintain).
 *
 * Which packs were merged away lives in the handle; a process killed (or
 * a handle reopened) forgets it. So that they are not listed and merged
 * again, over and over (each copy on disk again), mf_gitrepo_find_merged
 * recognises them when a handle opens: a pack whose every object is also
 * in larger packs that stay is redundant. When it was dropped is kept in
 * its .pack's mtime, set after the list stopped naming it (a pack
 * otherwise ends before its index, so its mtime is not later).
 */
#include "git/merge.h"
#include "git/files.h"
#include "git/odb.h"
#include "git/packfile.h"
#include "git/serverinfo.h"
#include "common/diag.h"
#include "common/timeutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* Each kept pack is at least this many times the size of the next. */
#define GEOMETRIC_FACTOR 2
/* Entries copied between looks at the clock. */
#define CLOCK_EVERY 64

/* A pack being merged away: mapped read-only while we copy from it. */
struct source {
	char name[46];
	unsigned char *map;
	size_t size;
};

/* How an entry is carried into the merged pack. */
enum carry {
	CARRY_COPY,      /* byte for byte: a whole object, or an id delta */
	CARRY_OFS_TO_ID, /* an offset delta, rewritten to name its base */
	CARRY_RESOLVE    /* a delta whose base stays elsewhere: whole */
};

/* One entry to copy: where it is and what its index says about it. */
struct item {
	git_oid id;
	git_oid base; /* a delta's base (found by add_source) */
	uint32_t crc, src;
	uint64_t offset, len;
	uint64_t size;     /* inflated size, from the entry's header */
	uint32_t data_off; /* where the deflated data starts in the entry */
	unsigned type;     /* the entry's type (6, 7: deltas) */
	enum carry carry;
};

struct mf_gitrepo_merge {
	struct source *src;
	size_t nsrc;
	struct item *items;
	size_t nitems, next;
	struct mf_gitrepo_packw *w;
};

void
mf_gitrepo_merge_free(struct mf_gitrepo_merge *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nsrc; i++)
		if (m->src[i].map != NULL)
			munmap(m->src[i].map, m->src[i].size);
	mf_gitrepo_packw_free(m->w);
	free(m->src);
	free(m->items);
	free(m);
}

static int
cmp_size(const void *a, const void *b)
{
	const struct mf_gitrepo_packinfo *x = a, *y = b;

	return x->size != y->size ? (x->size < y->size ? -1 : 1)
	                          : strcmp(x->name, y->name);
}

/*
 * How many of the smallest packs (v sorted by size, ascending) to merge:
 * the largest packs that already form a progression stay, and the merged
 * pack must itself be at most 1/factor of the smallest one that stays.
 * Below 2 there is nothing to do.
 */
static size_t
geometric_split(const struct mf_gitrepo_packinfo *v, size_t n)
{
	uint64_t total = 0;
	size_t i, split;

	if (n < 2)
		return 0;
	for (i = n - 1; i > 0; i--)
		if (v[i].size < GEOMETRIC_FACTOR * v[i - 1].size)
			break;
	split = i > 0 ? i + 1 : 0;
	for (i = 0; i < split; i++)
		total += v[i].size;
	for (i = split; i < n && v[i].size < GEOMETRIC_FACTOR * total; i++)
		total += v[i].size;
	return i;
}

static int
cmp_item_id(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int c = git_oid_cmp(&x->id, &y->id);

	return c != 0 ? c : (x->src < y->src ? -1 : x->src > y->src);
}

static int
cmp_item_place(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->src != y->src)
		return x->src < y->src ? -1 : 1;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* The entry of src at offset, among v (n, sorted by offset), or NULL. */
static const struct item *
at_offset(const struct item *v, size_t n, uint64_t offset)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (v[mid].offset == offset)
			return &v[mid];
		if (v[mid].offset < offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * Reads it's header in src (gitformat-pack(5)): type, inflated size
 * (4 bits, then 7 a byte), for an offset delta the distance back to its
 * base (7 bits a byte, each continuation adding one), for an id delta
 * the base's id. v (n, sorted by offset) are src's entries. -1 when the
 * entry is damaged.
 */
static int
parse_entry(const struct source *src, const struct item *v, size_t n,
            struct item *it)
{
	const unsigned char *p = src->map + it->offset;
	uint64_t size, back;
	unsigned shift = 4;
	size_t i = 1;
	const struct item *base;

	it->type = (p[0] >> 4) & 7;
	size = p[0] & 15;
	for (; p[i - 1] & 0x80; i++) {
		if (i >= it->len || shift > 57)
			return -1;
		size |= (uint64_t)(p[i] & 0x7f) << shift;
		shift += 7;
	}
	it->size = size;
	it->carry = CARRY_COPY;
	if (it->type == 6) {
		if (i >= it->len)
			return -1;
		back = p[i] & 0x7f;
		while (p[i++] & 0x80) {
			if (i >= it->len || back > (UINT64_MAX >> 8))
				return -1;
			back = ((back + 1) << 7) | (p[i] & 0x7f);
		}
		if (back == 0 || back > it->offset ||
		    (base = at_offset(v, n, it->offset - back)) == NULL)
			return -1;
		git_oid_cpy(&it->base, &base->id);
		it->carry = CARRY_OFS_TO_ID;
	} else if (it->type == 7) {
		if (i + 20 > it->len)
			return -1;
		git_oid_fromraw(&it->base, p + i);
		i += 20;
	} else if (it->type < GIT_OBJECT_COMMIT || it->type > GIT_OBJECT_TAG) {
		return -1;
	}
	it->data_off = (uint32_t)i;
	return i < it->len ? 0 : -1;
}

/* Maps source s and appends its entries (with their lengths) to m. */
static int
add_source(struct mf_gitrepo_merge *m, const char *dir, uint32_t s, size_t *cap,
           struct mf_error *err)
{
	struct mf_gitrepo_idx_entry *e = NULL;
	struct source *src = &m->src[s];
	struct stat st;
	char path[4200];
	size_t n, i, first = m->nitems;
	int fd, rc;

	snprintf(path, sizeof(path), "%s/%s.idx", dir, src->name);
	if ((rc = mf_gitrepo_idx_read(path, &e, &n, err)) != 0)
		return rc;
	snprintf(path, sizeof(path), "%s/%s.pack", dir, src->name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 ||
	    fstat(fd, &st) != 0 || st.st_size < 32 ||
	    (src->map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED,
	                     fd, 0)) == MAP_FAILED) {
		src->map = NULL;
		rc = mf_error_set(err, MF_E_IO, NULL, "map %s: %s", path,
		                  strerror(errno));
		goto done;
	}
	src->size = (size_t)st.st_size;
	if (m->nitems + n > *cap) {
		size_t ncap = (m->nitems + n) * 2;
		struct item *v = realloc(m->items, ncap * sizeof(*v));

		if (v == NULL) {
			rc = mf_error_set(err, MF_E_NOMEM, NULL,
			                  "out of memory");
			goto done;
		}
		m->items = v;
		*cap = ncap;
	}
	for (i = 0; i < n; i++) {
		struct item *it = &m->items[m->nitems++];

		git_oid_cpy(&it->id, &e[i].id);
		it->crc = e[i].crc;
		it->src = s;
		it->offset = e[i].offset;
	}
	/* an entry ends where the next begins, the last at the trailer */
	qsort(m->items + first, n, sizeof(*m->items), cmp_item_place);
	for (i = first; i < m->nitems && rc == 0; i++) {
		uint64_t end =
		    i + 1 < m->nitems ? m->items[i + 1].offset : src->size - 20;

		if (m->items[i].offset < 12 || end <= m->items[i].offset ||
		    end > src->size - 20)
			rc = mf_error_set(err, MF_E_IO, NULL,
			                  "%s: an index offset is out of range",
			                  path);
		else
			m->items[i].len = end - m->items[i].offset;
	}
	for (i = first; i < m->nitems && rc == 0; i++)
		if (parse_entry(src, m->items + first, n, &m->items[i]) != 0)
			rc = mf_error_set(
			    err, MF_E_IO, NULL, "%s: a damaged entry at %llu",
			    path, (unsigned long long)m->items[i].offset);
done:
	if (fd >= 0)
		close(fd);
	free(e);
	return rc;
}

static int
cmp_oid_item(const void *key, const void *elem)
{
	return git_oid_cmp(key, &((const struct item *)elem)->id);
}

/*
 * Keeps one copy of each object; a delta stays a delta only when the
 * copy kept of its base is from its own source pack. Then restores pack
 * order, for locality.
 */
static void
dedup(struct mf_gitrepo_merge *m)
{
	const struct item *base;
	size_t i, k = 0;

	qsort(m->items, m->nitems, sizeof(*m->items), cmp_item_id);
	for (i = 0; i < m->nitems; i++)
		if (k == 0 ||
		    !git_oid_equal(&m->items[k - 1].id, &m->items[i].id))
			m->items[k++] = m->items[i];
	m->nitems = k;
	for (i = 0; i < m->nitems; i++) {
		struct item *it = &m->items[i];

		if (it->type != 6 && it->type != 7)
			continue;
		base = bsearch(&it->base, m->items, m->nitems,
		               sizeof(*m->items), cmp_oid_item);
		if (base == NULL || base->src != it->src)
			it->carry = CARRY_RESOLVE;
	}
	qsort(m->items, m->nitems, sizeof(*m->items), cmp_item_place);
}

/* Picks the packs to merge; *out stays NULL when the progression holds. */
static int
merge_start(struct mf_gitrepo *r, struct mf_gitrepo_merge **out,
            struct mf_error *err)
{
	struct mf_gitrepo_packinfo *v = NULL;
	struct mf_gitrepo_merge *m = NULL;
	size_t n = 0, split, i, cap = 0;
	char dir[4096];
	int rc;

	*out = NULL;
	if ((rc = mf_gitrepo_list_packs(r, &v, &n, err)) != 0)
		return rc;
	if (n > 1) /* v is NULL when there is no pack: qsort must not see it */
		qsort(v, n, sizeof(*v), cmp_size);
	if ((split = geometric_split(v, n)) < 2)
		goto done;
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (m->src = calloc(split, sizeof(*m->src))) == NULL) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	snprintf(dir, sizeof(dir), "%s/objects/pack", r->path);
	for (i = 0; i < split && rc == 0; i++) {
		memcpy(m->src[i].name, v[i].name, sizeof(v[i].name));
		m->nsrc++;
		rc = add_source(m, dir, (uint32_t)i, &cap, err);
	}
	if (rc != 0)
		goto done;
	dedup(m);
	if ((rc = mf_gitrepo_packw_open(&m->w, dir, m->nitems, r->opt.fsync,
	                                err)) != 0)
		goto done;
	*out = m;
	m = NULL;
done:
	mf_gitrepo_merge_free(m);
	free(v);
	return rc;
}

/* Carries one entry into the merged pack (see enum carry). */
static int
merge_item(struct mf_gitrepo *r, struct mf_gitrepo_merge *m,
           const struct item *it, struct mf_error *err)
{
	const unsigned char *entry = m->src[it->src].map + it->offset;
	git_odb_object *obj = NULL;
	git_odb *odb = NULL;
	char hex[MF_GITREPO_ID_SIZE];
	int rc;

	if (it->carry == CARRY_COPY)
		return mf_gitrepo_packw_copy(m->w, &it->id, entry,
		                             (size_t)it->len, it->crc, err);
	if (it->carry == CARRY_OFS_TO_ID) {
		if ((uint32_t)crc32(0, entry, (uInt)it->len) != it->crc) {
			git_oid_tostr(hex, sizeof(hex), &it->id);
			return mf_error_set(err, MF_E_IO, NULL,
			                    "object %s is damaged in its pack",
			                    hex);
		}
		return mf_gitrepo_packw_ref_delta(
		    m->w, &it->id, &it->base, (size_t)it->size,
		    entry + it->data_off, (size_t)(it->len - it->data_off),
		    err);
	}
	if (git_repository_odb(&odb, r->repo) < 0 ||
	    git_odb_read(&obj, odb, &it->id) < 0) {
		git_odb_free(odb);
		return mf_gitrepo_fail(err, MF_E_IO, "read a delta");
	}
	rc = mf_gitrepo_packw_add(m->w, &it->id, git_odb_object_type(obj),
	                          git_odb_object_data(obj),
	                          git_odb_object_size(obj), err);
	git_odb_object_free(obj);
	git_odb_free(odb);
	return rc;
}

/* Sets the mtime of pack name's .pack to now; a failure costs only time. */
static void
mark_dropped(struct mf_gitrepo *r, const char *name)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/objects/pack/%s.pack", r->path, name);
	if (utimensat(AT_FDCWD, path, NULL, 0) != 0)
		mf_diag_debug("git: touch %s: %s", path, strerror(errno));
}

/*
 * The merged pack is complete: readers of this handle, then clones (the
 * pack list), use it; the sources leave the list now and the disk after
 * the grace period.
 */
static int
merge_finish(struct mf_gitrepo *r, struct mf_gitrepo_merge *m,
             struct mf_error *err)
{
	struct mf_gitrepo_oldpack *ov;
	char made[46];
	time_t now = time(NULL);
	size_t i;
	int rc;

	if ((rc = mf_gitrepo_packw_finish(m->w, made, err)) != 0)
		return rc;
	if ((ov = realloc(r->oldpacks,
	                  (r->noldpacks + m->nsrc) * sizeof(*ov))) == NULL)
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	r->oldpacks = ov;
	for (i = 0; i < m->nsrc; i++) {
		/* the same objects in the same order give the same name */
		if (strcmp(m->src[i].name, made) == 0)
			continue;
		memcpy(ov[r->noldpacks].name, m->src[i].name, 46);
		ov[r->noldpacks++].dropped = now;
	}
	mf_diag_debug("git: merged %zu packs (%zu objects) into %s", m->nsrc,
	              m->nitems, made);
	/* this handle reads the merged pack, not the merged-away ones */
	if ((rc = mf_gitrepo_odb_reset(r, err)) != 0 ||
	    (rc = mf_gitrepo_write_info_packs(r, err)) != 0)
		return rc;
	/* when they left the list, for a later handle (find_merged) */
	for (i = 0; i < m->nsrc; i++)
		if (strcmp(m->src[i].name, made) != 0)
			mark_dropped(r, m->src[i].name);
	/* no grace: no reader to wait for (tests, benchmarks) */
	if (r->opt.prune_grace_s == 0)
		mf_gitrepo_prune_packs(r, now);
	return 0;
}

int
mf_gitrepo_maintain(struct mf_gitrepo *r, unsigned budget_ms, bool *busy,
                    struct mf_error *err)
{
	int64_t t0 = mf_time_mono_ns();
	int64_t budget = (int64_t)budget_ms * 1000000;
	struct mf_gitrepo_merge *m;
	size_t k = 0;
	int rc = 0;

	mf_stopwatch_lap(&r->sw);
	if (busy != NULL)
		*busy = false;
	mf_gitrepo_prune_packs(r, time(NULL));
	if (r->nstaged > 0 || r->dirty) /* between batches only */
		return 0;
	if (r->merge == NULL && (rc = merge_start(r, &r->merge, err)) != 0)
		goto done;
	if ((m = r->merge) == NULL)
		goto done;
	while (m->next < m->nitems) {
		if ((rc = merge_item(r, m, &m->items[m->next], err)) != 0)
			goto done;
		m->next++;
		if (++k % CLOCK_EVERY == 0 && budget_ms > 0 &&
		    mf_time_mono_ns() - t0 >= budget)
			break;
	}
	if (m->next == m->nitems) {
		rc = merge_finish(r, m, err);
		mf_gitrepo_merge_free(m);
		r->merge = NULL;
		/* more may be due: the merged pack can join the next level */
		if (rc == 0 && busy != NULL)
			*busy = true;
	} else if (busy != NULL) {
		*busy = true;
	}
done:
	if (rc != 0) { /* start again from the packs as they are then */
		mf_gitrepo_merge_free(r->merge);
		r->merge = NULL;
	}
	mf_stopwatch_mark(&r->sw, MF_GITREPO_PH_MERGE);
	return rc;
}

void
mf_gitrepo_prune_packs(struct mf_gitrepo *r, time_t now)
{
	char path[4200];
	size_t i = 0;
	unsigned gone = 0;

	while (i < r->noldpacks) {
		if (now - r->oldpacks[i].dropped <
		    (time_t)r->opt.prune_grace_s) {
			i++;
			continue;
		}
		/* the index first: without it no reader uses the pack */
		snprintf(path, sizeof(path), "%s/objects/pack/%s.idx", r->path,
		         r->oldpacks[i].name);
		unlink(path);
		snprintf(path, sizeof(path), "%s/objects/pack/%s.pack", r->path,
		         r->oldpacks[i].name);
		unlink(path);
		gone++;
		r->oldpacks[i] = r->oldpacks[--r->noldpacks];
	}
	if (gone > 0)
		mf_diag_debug("git: deleted %u merged packs", gone);
}

static int
cmp_size_desc(const void *a, const void *b)
{
	return cmp_size(b, a);
}

static int
cmp_oid(const void *a, const void *b)
{
	return git_oid_cmp(a, b);
}

static int
cmp_idx_id(const void *a, const void *b)
{
	return git_oid_cmp(&((const struct mf_gitrepo_idx_entry *)a)->id,
	                   &((const struct mf_gitrepo_idx_entry *)b)->id);
}

/* Whether objects/info/packs (text) names pack name. */
static bool
is_listed(const struct mf_buf *list, const char *name)
{
	char line[64];

	snprintf(line, sizeof(line), "P %s.pack\n", name);
	return list->data != NULL && strstr(list->data, line) != NULL;
}

/*
 * When redundant pack name (not in *list) left the list: its .pack's
 * mtime when mark_dropped set it (later than its index's), else now.
 */
static time_t
dropped_at(struct mf_gitrepo *r, const struct mf_buf *list, const char *name,
           time_t now)
{
	struct stat ps, is;
	char path[4200];

	if (is_listed(list, name))
		return now;
	snprintf(path, sizeof(path), "%s/objects/pack/%s.pack", r->path, name);
	if (stat(path, &ps) != 0)
		return now;
	snprintf(path, sizeof(path), "%s/objects/pack/%s.idx", r->path, name);
	if (stat(path, &is) != 0 || ps.st_mtim.tv_sec < is.st_mtim.tv_sec ||
	    (ps.st_mtim.tv_sec == is.st_mtim.tv_sec &&
	     ps.st_mtim.tv_nsec <= is.st_mtim.tv_nsec) ||
	    ps.st_mtime > now)
		return now;
	return ps.st_mtime;
}

/*
 * *kept (sorted, *nkept) plus the ids of e (n, sorted), each once;
 * 0 or MF_E_NOMEM.
 */
static int
keep_ids(git_oid **kept, size_t *nkept, const struct mf_gitrepo_idx_entry *e,
         size_t n)
{
	git_oid *v;
	size_t i = 0, j = 0, k = 0;
	int c;

	if ((v = malloc((*nkept + n + 1) * sizeof(*v))) == NULL)
		return MF_E_NOMEM;
	while (i < *nkept || j < n) {
		c = i == *nkept ? 1
		    : j == n    ? -1
		                : git_oid_cmp(&(*kept)[i], &e[j].id);
		if (c <= 0)
			git_oid_cpy(&v[k], &(*kept)[i++]);
		else
			git_oid_cpy(&v[k], &e[j].id);
		if (c >= 0)
			j++;
		if (k == 0 || !git_oid_equal(&v[k - 1], &v[k]))
			k++;
	}
	free(*kept);
	*kept = v;
	*nkept = k;
	return 0;
}

int
mf_gitrepo_find_merged(struct mf_gitrepo *r, struct mf_error *err)
{
	struct mf_gitrepo_packinfo *v = NULL;
	struct mf_gitrepo_idx_entry *e = NULL;
	struct mf_gitrepo_oldpack *ov;
	struct mf_buf list = MF_BUF_INIT;
	struct mf_error skip;
	git_oid *kept = NULL;
	size_t n = 0, nkept = 0, ne, i, j, found = 0;
	time_t now = time(NULL);
	char path[4200];
	bool listed;
	int rc;

	/* 1. the packs on disk, largest first, and the list clients read */
	if ((rc = mf_gitrepo_list_packs(r, &v, &n, err)) != 0)
		goto done;
	if (n < 2)
		goto done;
	qsort(v, n, sizeof(*v), cmp_size_desc);
	snprintf(path, sizeof(path), "%s/objects/info/packs", r->path);
	if ((rc = mf_gitrepo_read_small(path, &list, &listed, err)) != 0)
		goto done;
	/* 2. each pack: redundant, or its objects join those kept */
	for (i = 0; i < n; i++) {
		mf_error_init(&skip);
		snprintf(path, sizeof(path), "%s/objects/pack/%s.idx", r->path,
		         v[i].name);
		/* an index we cannot read: the pack stays, as it did */
		rc = mf_gitrepo_idx_read(path, &e, &ne, &skip);
		mf_error_dispose(&skip);
		if (rc == MF_E_NOMEM)
			goto nomem;
		if (rc != 0) {
			rc = 0;
			continue;
		}
		if (ne > 1)
			qsort(e, ne, sizeof(*e), cmp_idx_id);
		for (j = 0; j < ne; j++)
			if (nkept == 0 ||
			    bsearch(&e[j].id, kept, nkept, sizeof(*kept),
			            cmp_oid) == NULL)
				break;
		if (j < ne || ne == 0) {
			rc = keep_ids(&kept, &nkept, e, ne);
		} else if ((ov = realloc(r->oldpacks,
		                         (r->noldpacks + 1) * sizeof(*ov))) ==
		           NULL) {
			rc = MF_E_NOMEM;
		} else {
			r->oldpacks = ov;
			memcpy(ov[r->noldpacks].name, v[i].name, 46);
			ov[r->noldpacks++].dropped =
			    dropped_at(r, &list, v[i].name, now);
			found++;
		}
		free(e);
		e = NULL;
		if (rc != 0)
			goto nomem;
	}
	if (found > 0)
		mf_diag_info("git: %zu packs in %s were merged away before",
		             found, r->path);
	/* 3. those whose grace is over go now */
	mf_gitrepo_prune_packs(r, now);
	goto done;
nomem:
	rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
done:
	mf_buf_dispose(&list);
	free(kept);
	free(v);
	return rc;
}
