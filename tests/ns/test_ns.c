/*
 * test_ns.c - namespaces: bind modes, union directories, unbind, mount
 * specs, copies and sharing, ".." through binds, listings, limits.
 */
#include "fs/fsutil.h"
#include "fs/internal.h"

/*
 * A memfs namespace holding
 *   /a/{x "A-x", same "A"}   /b/{y "B-y", same "B", sub/}   /c/{z "C-z"}
 *   /u (empty), /f "F" (a file), /g "G" (a file)
 */
static struct ns *
world(void)
{
	struct ns *ns = memns(0, NULL);
	static const char *const dirs[] = { "/a", "/b", "/b/sub", "/c", "/u" };
	static const char *const files[][2] = {
		{ "/a/x", "A-x" }, { "/a/same", "A" }, { "/b/y", "B-y" }, { "/b/same", "B" },
		{ "/c/z", "C-z" }, { "/f", "F" }, { "/g", "G" },
	};

	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
		CHECK_EQ_U64(fs_mkdir(ns, NULL, S(dirs[i])), 0);
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
		CHECK_EQ_U64(putstr(ns, files[i][0], files[i][1]), 0);
	return ns;
}

static int
bind(struct ns *ns, const char *old, const char *new, unsigned flags)
{
	return ns_bind(ns, NULL, S(old), S(new), flags);
}

static const char *
ls(struct ns *ns, const char *path)
{
	static struct names n;
	int err = listdir(ns, path, &n);

	return err ? fs_errname(err) : n.buf;
}

TEST(ns_bind_replace_and_unbind)
{
	struct ns *ns = world();

	CHECK_EQ_U64(bind(ns, "/a", "/u", 0), 0);
	CHECK_STR(ls(ns, "/u"), "x same");
	CHECK_STR(getstr(ns, NULL, "/u/x", NULL), "A-x");
	/* A replace bind stacks: unbinding reveals what was there. */
	CHECK_EQ_U64(bind(ns, "/b", "/u", 0), 0);
	CHECK_STR(ls(ns, "/u"), "sub y same");
	CHECK_EQ_U64(ns_unbind(ns, NULL, NULL, 0, S("/u")), 0);
	CHECK_STR(ls(ns, "/u"), "x same");
	CHECK_EQ_U64(ns_unbind(ns, NULL, NULL, 0, S("/u/")), 0);
	CHECK_STR(ls(ns, "/u"), "");
	CHECK_EQ_U64(ns_unbind(ns, NULL, NULL, 0, S("/u")), E_INVAL);
	/* Writes through a bind land in the bound directory. */
	CHECK_EQ_U64(bind(ns, "/a", "/u", 0), 0);
	CHECK_EQ_U64(putstr(ns, "/u/new", "N"), 0);
	CHECK_STR(getstr(ns, NULL, "/a/new", NULL), "N");
	/* Errors. */
	CHECK_EQ_U64(bind(ns, "/nope", "/u", 0), E_NOENT);
	CHECK_EQ_U64(bind(ns, "/a", "/nope", 0), E_NOENT);
	CHECK_EQ_U64(bind(ns, "/a", "/f", 0), E_NOTDIR);
	CHECK_EQ_U64(bind(ns, "/f", "/a", 0), E_ISDIR);
	CHECK_EQ_U64(bind(ns, "/f", "/g", NS_AFTER), E_NOTDIR);
	CHECK_EQ_U64(bind(ns, "/a", "/u", NS_BEFORE | NS_AFTER), E_INVAL);
	CHECK_EQ_U64(bind(ns, "/a", "/u", 1u << 20), E_INVAL);
	CHECK_EQ_U64(bind(ns, "/u", "/u", 0), E_INVAL);     /* what /u shows already */
	CHECK_EQ_U64(bind(ns, "/a", "/b/sub/..", 0), E_INVAL);
	CHECK_EQ_U64(bind(ns, "/a", "/b/.", 0), E_INVAL);
	ns_unref(ns);
}

TEST(ns_bind_files)
{
	struct ns *ns = world();

	CHECK_EQ_U64(bind(ns, "/f", "/g", 0), 0);
	CHECK_STR(getstr(ns, NULL, "/g", NULL), "F");
	CHECK_EQ_U64(putstr(ns, "/g", "F2"), 0);
	CHECK_STR(getstr(ns, NULL, "/f", NULL), "F2");
	CHECK_EQ_U64(ns_unbind(ns, NULL, NULL, 0, S("/g")), 0);
	CHECK_STR(getstr(ns, NULL, "/g", NULL), "G");
	ns_unref(ns);
}

TEST(ns_union_after_before)
{
	struct ns *ns = world();
	struct fs_stat st;

	/* -a: the original first, then b. */
	CHECK_EQ_U64(bind(ns, "/b", "/a", NS_AFTER), 0);
	CHECK_STR(ls(ns, "/a"), "x same sub y");
	CHECK_STR(getstr(ns, NULL, "/a/same", NULL), "A");
	CHECK_STR(getstr(ns, NULL, "/a/y", NULL), "B-y");
	CHECK_EQ_U64(fs_stat(ns, NULL, S("/a/sub"), true, &st), 0);
	CHECK_EQ_U64(st.type, VN_DIR);
	/* -b: c before everything. */
	CHECK_EQ_U64(bind(ns, "/c", "/a", NS_BEFORE), 0);
	CHECK_STR(ls(ns, "/a"), "z x same sub y");
	/* The same member twice: E_EXIST. */
	CHECK_EQ_U64(bind(ns, "/c", "/a", NS_AFTER), E_EXIST);
	/* -b with a shadowing name: the first member wins lookup and listing. */
	CHECK_EQ_U64(putstr(ns, "/c/same", "C"), 0);
	CHECK_STR(getstr(ns, NULL, "/a/same", NULL), "C");
	CHECK_STR(ls(ns, "/a"), "z same x sub y");
	/* Creation goes to the original directory (the only member allowed to). */
	CHECK_EQ_U64(putstr(ns, "/a/made", "M"), 0);
	CHECK_STR(getstr(ns, NULL, "/a/made", NULL), "M");
	CHECK_EQ_U64(fs_mkdir(ns, NULL, S("/a/newdir")), 0);
	CHECK_STR(ls(ns, "/c"), "z same");
	/* Unlink acts where the name is: removing c's "same" uncovers a's. */
	CHECK_EQ_U64(fs_unlink(ns, NULL, S("/a/same")), 0);
	CHECK_STR(getstr(ns, NULL, "/a/same", NULL), "A");
	CHECK_STR(ls(ns, "/c"), "z");
	CHECK_EQ_U64(fs_unlink(ns, NULL, S("/a/y")), 0);
	CHECK_STR(ls(ns, "/b"), "sub same");
	CHECK_EQ_U64(fs_rmdir(ns, NULL, S("/a/sub")), 0);
	CHECK_EQ_U64(fs_rmdir(ns, NULL, S("/a/nope")), E_NOENT);
	/* Rename inside the union, and from the union to a plain directory. */
	CHECK_EQ_U64(fs_rename(ns, NULL, S("/a/z"), NULL, S("/a/z2")), 0);
	CHECK_STR(ls(ns, "/c"), "z2");
	CHECK_EQ_U64(fs_rename(ns, NULL, S("/a/z2"), NULL, S("/u/z3")), 0);
	CHECK_STR(getstr(ns, NULL, "/u/z3", NULL), "C-z");
	CHECK_EQ_U64(fs_rename(ns, NULL, S("/u/z3"), NULL, S("/a/z4")), 0);
	CHECK_STR(getstr(ns, NULL, "/a/z4", NULL), "C-z");
	CHECK_EQ_U64(fs_link(ns, NULL, S("/a/z4"), false, NULL, S("/a/z5")), 0);
	CHECK_EQ_U64(fs_symlink(ns, S("z4"), NULL, S("/a/lnk")), 0);
	CHECK_STR(getstr(ns, NULL, "/a/lnk", NULL), "C-z");
	ns_unref(ns);
}

TEST(ns_union_create_rules)
{
	struct ns *ns = world();

	/* bind -bc: the new member takes creations. */
	CHECK_EQ_U64(bind(ns, "/b", "/a", NS_BEFORE | NS_CREATE), 0);
	CHECK_EQ_U64(putstr(ns, "/a/n1", "1"), 0);
	CHECK_STR(getstr(ns, NULL, "/b/n1", NULL), "1");
	CHECK_EQ_U64(ns_unbind(ns, NULL, NULL, 0, S("/a")), 0);
	CHECK_EQ_U64(fs_stat(ns, NULL, S("/a/n1"), true, &(struct fs_stat){ 0 }), E_NOENT);
	/* Without the original, only -c members create: none here. */
	CHECK_EQ_U64(bind(ns, "/b", "/u", NS_AFTER), 0);
	CHECK_EQ_U64(ns_unbind(ns, NULL, S("/u"), S("/u")), E_INVAL);  /* /u names the union */
	CHECK_EQ_U64(ns_unbind(ns, NULL, S("/b"), S("/u")), 0);   /* only the original left: gone */
	CHECK_STR(ls(ns, "/u"), "");
	CHECK_EQ_U64(bind(ns, "/b", "/u", 0), 0);
	CHECK_EQ_U64(bind(ns, "/c", "/u", NS_AFTER), 0);
	CHECK_EQ_U64(putstr(ns, "/u/n2", "2"), 0);   /* the replace member creates */
	CHECK_STR(getstr(ns, NULL, "/b/n2", NULL), "2");
	ns_unref(ns);
}

TEST(ns_unbind_member)
{
	struct ns *ns = world();

	CHECK_EQ_U64(bind(ns, "/b", "/a", NS_AFTER), 0);
	CHECK_EQ_U64(bind(ns, "/c", "/a", NS_AFTER), 0);
	CHECK_STR(ls(ns, "/a"), "x same sub y z");
	CHECK_EQ_U64(ns_unbind(ns, NULL, S("/b"), S("/a")), 0);
	CHECK_STR(ls(ns, "/a"), "x same z");
	CHECK_EQ_U64(ns_unbind(ns, NULL, S("/b"), S("/a")), E_INVAL);
	CHECK_EQ_U64(ns_unbind(ns, NULL, S("/nope"), S("/a")), E_NOENT);
	/* The original can go too: the place shows c alone. */
	CHECK_EQ_U64(ns_unbind(ns, NULL, S("/a"), S("/a")), E_INVAL);   /* "/a" is c now... */
	CHECK_EQ_U64(ns_unbind(ns, NULL, NULL, 0, S("/a")), 0);
	CHECK_STR(ls(ns, "/a"), "x same");
	ns_unref(ns);
}

TEST(ns_dotdot_follows_the_walk)
{
	struct ns *ns = world();
	struct vnode *v, *w;
	char buf[128];

	CHECK_EQ_U64(fs_mkdir(ns, NULL, S("/c/deep")), 0);
	CHECK_EQ_U64(bind(ns, "/b", "/c/deep", 0), 0);
	/* ".." leaves the bind where the walk entered it... */
	CHECK_STR(getstr(ns, NULL, "/c/deep/../z", NULL), "C-z");
	CHECK_STR(getstr(ns, NULL, "/c/deep/sub/../../z", NULL), "C-z");
	/* ...and the bound directory's own parent when reached directly. */
	CHECK_STR(getstr(ns, NULL, "/b/sub/../../a/x", NULL), "A-x");
	/* In a union, ".." from a member's child returns to the union. */
	CHECK_EQ_U64(bind(ns, "/a", "/u", NS_AFTER), 0);
	CHECK_EQ_U64(fs_mkdir(ns, NULL, S("/a/ad")), 0);
	CHECK_STR(getstr(ns, NULL, "/u/ad/../x", NULL), "A-x");
	/* Without a walk (a working directory), the table decides. */
	CHECK_EQ_U64(resolve(ns, NULL, "/c/deep/sub", FS_FOLLOW, &v), 0);
	CHECK_STR(getstr(ns, v, "../../z", NULL), "C-z");
	CHECK_EQ_U64(fs_getcwd(ns, v, buf, sizeof buf, NULL), 0);
	CHECK_STR(buf, "/c/deep/sub");
	CHECK_EQ_U64(resolve(ns, v, "../..", 0, &w), 0);
	CHECK_EQ_U64(fs_getcwd(ns, w, buf, sizeof buf, NULL), 0);
	CHECK_STR(buf, "/c");
	vn_unref(w);
	vn_unref(v);
	CHECK_EQ_U64(resolve(ns, NULL, "/u", FS_FOLLOW, &v), 0);
	CHECK(ns_is_union(v));
	CHECK_EQ_U64(fs_getcwd(ns, v, buf, sizeof buf, NULL), 0);
	CHECK_STR(buf, "/u");
	CHECK_STR(getstr(ns, v, "x", NULL), "A-x");
	CHECK_STR(getstr(ns, v, "../f", NULL), "F");
	vn_unref(v);
	/* "/.." stays at the root. */
	CHECK_STR(getstr(ns, NULL, "/../../f", NULL), "F");
	ns_unref(ns);
}

TEST(ns_root_binds)
{
	struct ns *ns = world();
	struct vnode *r0 = ns_root(ns), *r1;

	CHECK_EQ_U64(bind(ns, "/c", "/", NS_AFTER), 0);
	CHECK_STR(getstr(ns, NULL, "/z", NULL), "C-z");
	CHECK_STR(getstr(ns, NULL, "/f", NULL), "F");
	CHECK_STR(ls(ns, "/"), "a b c u f g z");
	/* The root keeps its identity whatever is bound onto it. */
	r1 = ns_root(ns);
	CHECK(vn_same(r0, r1));
	vn_unref(r1);
	CHECK_EQ_U64(ns_unbind(ns, NULL, S("/c"), S("/")), 0);
	CHECK_EQ_U64(fs_stat(ns, NULL, S("/z"), true, &(struct fs_stat){ 0 }), E_NOENT);
	CHECK_EQ_U64(ns_unbind(ns, NULL, NULL, 0, S("/")), E_INVAL);
	/* Replace: the root becomes b alone (a chroot); the old root is unreachable. */
	{
		struct ns *jail = ns_copy(ns);

		CHECK_EQ_U64(bind(jail, "/b", "/", 0), 0);
		CHECK_STR(ls(jail, "/"), "sub y same");
		CHECK_STR(getstr(jail, NULL, "/../../same", NULL), "B");
		CHECK_EQ_U64(fs_stat(jail, NULL, S("/a"), true, &(struct fs_stat){ 0 }), E_NOENT);
		CHECK_EQ_U64(ns_unbind(jail, NULL, S("/"), S("/")), E_INVAL);
		r1 = ns_root(jail);
		CHECK(vn_same(r0, r1));
		vn_unref(r1);
		ns_unref(jail);
	}
	CHECK_STR(getstr(ns, NULL, "/a/x", NULL), "A-x");
	/* A union inside itself is refused. */
	CHECK_EQ_U64(bind(ns, "/", "/u", 0), 0);
	CHECK_STR(getstr(ns, NULL, "/u/u/u/a/x", NULL), "A-x");
	CHECK_EQ_U64(bind(ns, "/u", "/", NS_AFTER), E_INVAL);   /* "/" is what /u shows */
	CHECK_EQ_U64(bind(ns, "/u", "/", 0), E_INVAL);
	CHECK_EQ_U64(bind(ns, "/", "/c", NS_AFTER), 0);
	CHECK_STR(getstr(ns, NULL, "/c/z", NULL), "C-z");
	CHECK_STR(getstr(ns, NULL, "/c/c/c/f", NULL), "F");
	CHECK_EQ_U64(bind(ns, "/c", "/", NS_AFTER), E_LOOP);
	CHECK_EQ_U64(bind(ns, "/c", "/", 0), E_LOOP);
	vn_unref(r0);
	ns_unref(ns);
}

TEST(ns_union_cycles)
{
	struct ns *ns = world();
	struct fs_stat st;

	CHECK_EQ_U64(bind(ns, "/b", "/a", NS_AFTER), 0);
	CHECK_EQ_U64(bind(ns, "/a", "/c", NS_AFTER), 0);    /* c = [c, [a, b]] */
	CHECK_STR(getstr(ns, NULL, "/c/y", NULL), "B-y");
	CHECK_EQ_U64(bind(ns, "/c", "/a", NS_AFTER), E_LOOP);
	CHECK_EQ_U64(bind(ns, "/c", "/b", NS_AFTER), 0);    /* b = [b, c]: no cycle through a's b */
	CHECK_EQ_U64(fs_stat(ns, NULL, S("/c/nothing"), true, &st), E_NOENT);
	CHECK_EQ_U64(fs_stat(ns, NULL, S("/b/nothing"), true, &st), E_NOENT);
	CHECK_STR(getstr(ns, NULL, "/b/z", NULL), "C-z");
	ns_unref(ns);
}

TEST(ns_copy_and_share)
{
	struct ns *ns = world(), *copy, *shared;
	struct vnode *u, *v;

	CHECK_EQ_U64(bind(ns, "/b", "/a", NS_AFTER), 0);
	CHECK_EQ_U64(resolve(ns, NULL, "/a", FS_FOLLOW, &u), 0);
	copy = ns_copy(ns);
	CHECK(copy != NULL);
	CHECK_STR(ls(copy, "/a"), "x same sub y");
	CHECK_EQ_U64(bind(copy, "/c", "/a", NS_AFTER), 0);
	CHECK_STR(ls(copy, "/a"), "x same sub y z");
	CHECK_STR(ls(ns, "/a"), "x same sub y");
	/* The parent's union, inherited (a working directory), shows the copy's. */
	CHECK_STR(getstr(copy, u, "z", NULL), "C-z");
	CHECK_EQ_U64(resolve(copy, NULL, "/a", FS_FOLLOW, &v), 0);
	CHECK(vn_same(u, v));
	CHECK(u != v);
	vn_unref(v);
	CHECK_EQ_U64(ns_unbind(ns, NULL, NULL, 0, S("/a")), 0);
	CHECK_STR(ls(ns, "/a"), "x same");
	CHECK_STR(ls(copy, "/a"), "x same sub y z");
	/* An unbound union still lists what it had; a walk from it sees the place now. */
	CHECK_EQ_U64(vn_readdir(u, 0, collect, &(struct names){ 0 }), 0);
	CHECK_EQ_U64(fs_stat(ns, u, S("y"), true, &(struct fs_stat){ 0 }), E_NOENT);
	/* Sharing: one table, two holders. */
	shared = copy;
	ns_ref(shared);
	CHECK_EQ_U64(ns_unbind(shared, NULL, S("/c"), S("/a")), 0);
	CHECK_STR(ls(copy, "/a"), "x same sub y");
	ns_unref(shared);
	ns_unref(copy);
	vn_unref(u);
	ns_unref(ns);
}

TEST(ns_mount_specs)
{
	struct ns *ns = world(), *child;
	struct fs *srvfs = memfs_new(0);
	struct vnode *sroot = fs_root(srvfs);
	char big[2048];

	CHECK_EQ_U64(ns_mount_spec(ns, NULL, S("memfs"), S("/u"), 0), 0);
	CHECK_EQ_U64(putstr(ns, "/u/t", "T"), 0);
	CHECK_STR(getstr(ns, NULL, "/u/t", NULL), "T");
	CHECK_EQ_U64(ns_mount_spec(ns, NULL, S("memfs:1K"), S("/c"), NS_BEFORE | NS_CREATE), 0);
	CHECK_STR(ls(ns, "/c"), "z");
	memset(big, 'x', sizeof big);
	CHECK_EQ_U64(fs_put(ns, "/c/big", big, sizeof big), E_NOSPC);   /* the quota'd memfs creates */
	CHECK_EQ_U64(fs_stat(ns, NULL, S("/c/big"), true, &(struct fs_stat){ 0 }), 0);
	CHECK_EQ_U64(ns_mount_spec(ns, NULL, S("memfs:0"), S("/u"), 0), E_INVAL);
	CHECK_EQ_U64(ns_mount_spec(ns, NULL, S("memfs:12Q"), S("/u"), 0), E_INVAL);
	CHECK_EQ_U64(ns_mount_spec(ns, NULL, S("memfs:99999999999999"), S("/u"), 0), E_INVAL);
	CHECK_EQ_U64(ns_mount_spec(ns, NULL, S("nosuchfs"), S("/u"), 0), E_NOENT);
	CHECK_EQ_U64(ns_mount_spec(ns, NULL, "", 0, S("/u"), 0), E_INVAL);
	CHECK_EQ_U64(ns_mount_spec(ns, NULL, "me\0mfs", 6, S("/u"), 0), E_INVAL);
	/* "#name": what the system offered the family. */
	CHECK_EQ_U64(ns_mount_spec(ns, NULL, S("#srv"), S("/u"), 0), E_NOENT);
	CHECK_EQ_U64(ns_srv_add(ns, "srv", sroot), 0);
	CHECK_EQ_U64(ns_srv_add(ns, "srv", sroot), E_EXIST);
	CHECK_EQ_U64(ns_srv_add(ns, "bad/name", sroot), E_INVAL);
	CHECK_EQ_U64(ns_srv_add(ns, "", sroot), E_INVAL);
	CHECK_EQ_U64(fs_mkdir(ns, NULL, S("/u/s")), 0);
	CHECK_EQ_U64(ns_mount_spec(ns, NULL, S("#srv"), S("/u/s"), 0), 0);
	CHECK_EQ_U64(putstr(ns, "/u/s/file", "S"), 0);
	/* nomount: copies inherit it; "#" mounts fail, fresh memfs still works. */
	child = ns_copy(ns);
	ns_set_nomount(child);
	CHECK(ns_nomount(child));
	CHECK(!ns_nomount(ns));
	CHECK_EQ_U64(ns_mount_spec(child, NULL, S("#srv"), S("/a"), 0), E_PERM);
	CHECK_EQ_U64(ns_mount_spec(child, NULL, S("memfs"), S("/a"), 0), 0);
	{
		struct ns *grand = ns_copy(child);

		CHECK(ns_nomount(grand));
		CHECK_EQ_U64(ns_mount_spec(grand, NULL, S("#srv"), S("/a"), 0), E_PERM);
		ns_unref(grand);
	}
	CHECK_STR(getstr(child, NULL, "/u/s/file", NULL), "S");
	ns_unref(child);
	vn_unref(sroot);
	fs_unref(srvfs);
	ns_unref(ns);
}

TEST(ns_text_listings)
{
	struct ns *ns = world();
	char *s;
	size_t len;

	CHECK_EQ_U64(bind(ns, "/b", "/a", NS_AFTER), 0);
	CHECK_EQ_U64(bind(ns, "/c", "/a", NS_BEFORE | NS_CREATE), 0);
	CHECK_EQ_U64(bind(ns, "/f", "/g", 0), 0);
	CHECK_EQ_U64(fs_mkdir(ns, NULL, S("/we ird")), 0);
	CHECK_EQ_U64(ns_mount_spec(ns, NULL, S("memfs"), S("/we ird"), 0), 0);
	CHECK_EQ_U64(ns_text(ns, NS_TEXT_MOUNTS, &s, &len), 0);
	CHECK_EQ_U64(strlen(s), len);
	CHECK_STR(s, "/ #memfs memfs rw,create,union\n"
		  "/a /c memfs rw,create,union\n"
		  "/a /a memfs rw,create,union\n"
		  "/a /b memfs rw,union\n"
		  "/g /f memfs rw,create\n"
		  "'/we ird' memfs memfs rw,create\n");
	free(s);
	CHECK_EQ_U64(ns_text(ns, NS_TEXT_DUMP, &s, &len), 0);
	CHECK_STR(s, "mount #memfs /\n"
		  "bind -bc /c /a\n"
		  "bind -a /b /a\n"
		  "bind /f /g\n"
		  "mount memfs '/we ird'\n");
	free(s);
	ns_unref(ns);
}

TEST(ns_relative_paths)
{
	struct ns *ns = world();
	struct vnode *a;
	char *s;
	size_t len;

	CHECK_EQ_U64(resolve(ns, NULL, "/a", FS_FOLLOW, &a), 0);
	CHECK_EQ_U64(ns_bind(ns, a, S("../b"), S("../u"), 0), 0);
	CHECK_STR(ls(ns, "/u"), "sub y same");
	CHECK_EQ_U64(ns_text(ns, NS_TEXT_DUMP, &s, &len), 0);
	CHECK(strstr(s, "bind /a/../b /a/../u\n") != NULL);
	free(s);
	CHECK_EQ_U64(ns_unbind(ns, a, NULL, 0, S("../u")), 0);
	CHECK_EQ_U64(ns_bind(ns, NULL, S("b"), S("/u"), 0), E_NOENT);   /* relative without cwd */
	vn_unref(a);
	ns_unref(ns);
}

TEST(ns_limits)
{
	struct ns *ns = world();
	char p[64];
	int i, err = 0;

	for (i = 0; i < NS_MEMBERS_MAX + 4 && !err; i++) {
		snprintf(p, sizeof p, "/m%d", i);
		CHECK_EQ_U64(fs_mkdir(ns, NULL, S(p)), 0);
		err = bind(ns, p, "/u", NS_AFTER);
	}
	CHECK_EQ_U64(err, E_NOSPC);
	CHECK_EQ_U64(i, NS_MEMBERS_MAX);   /* the original counts as one */
	/* Stacked at one place: 64 deep. */
	for (i = 0, err = 0; i < 100 && !err; i++)
		err = bind(ns, i & 1 ? "/a" : "/b", "/c", 0);
	CHECK_EQ_U64(err, E_NOSPC);
	CHECK_EQ_U64(i, 65);
	CHECK_STR(getstr(ns, NULL, "/c/same", NULL), (i - 2) & 1 ? "A" : "B");
	for (i = 0; i < 64; i++)
		CHECK_EQ_U64(ns_unbind(ns, NULL, NULL, 0, S("/c")), 0);
	CHECK_STR(getstr(ns, NULL, "/c/z", NULL), "C-z");
	/* Entries in all. */
	for (i = 0, err = 0; i < NS_ENTRIES_MAX + 4 && !err; i++) {
		snprintf(p, sizeof p, "/e%d", i);
		CHECK_EQ_U64(fs_mkdir(ns, NULL, S(p)), 0);
		err = bind(ns, "/a", p, 0);
	}
	CHECK_EQ_U64(err, E_NOSPC);
	CHECK_EQ_U64(i, NS_ENTRIES_MAX - 1);   /* the root and /u took two */
	ns_unref(ns);
}

/* A union listed a few entries at a time resumes where it stopped. */
TEST(ns_union_readdir_cookies)
{
	struct ns *ns = world();
	struct vnode *u;
	struct names n;
	char all[512] = "";
	int calls = 0;

	CHECK_EQ_U64(bind(ns, "/b", "/a", NS_AFTER), 0);
	CHECK_EQ_U64(bind(ns, "/c", "/a", NS_AFTER), 0);
	CHECK_EQ_U64(resolve(ns, NULL, "/a", FS_FOLLOW, &u), 0);
	memset(&n, 0, sizeof n);
	n.limit = 2;
	for (;;) {
		uint64_t at = n.cookie;

		n.count = 0;
		n.len = 0;
		n.buf[0] = 0;
		CHECK_EQ_U64(vn_readdir(u, at, collect, &n), 0);
		calls++;
		if (n.len) {
			strcat(all, all[0] ? " " : "");
			strcat(all, n.buf);
		}
		if (n.count == 0 || calls > 20)
			break;
	}
	CHECK_STR(all, "x same sub y z");
	vn_unref(u);
	ns_unref(ns);
}
