#!/bin/sh
# tests/test_install.sh - `make install` and `make KERNEL_DIR=...` (root).
#
# In a copy of the sources, so that the tree's own build is untouched:
#   - `make install DESTDIR=stage` puts the binary, the BPF object, the
#     unit and the man page under PREFIX (default /usr/local) in stage,
#     the staged binary runs, and `man -l` renders the page cleanly;
#   - `make install PREFIX=p` gives a binary that finds its BPF object
#     in p/lib/ebph by itself;
#   - `make KERNEL_DIR=k` compiles against k/usr/include, not the
#     system's headers: with a poisoned header there the build fails on
#     it, and with the real ones ebph builds and runs.  k is made from
#     Debian's linux-libc-dev, which is `make headers_install` output
#     (Debian builds it so), with asm/ moved back from the multiarch
#     directory to where headers_install puts it.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
ebph_isolate "$@"

test_begin test_install

tmp=$(mktemp -d /tmp/ebph-install.XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# The machine's own /etc/ebph, as it was: the tests install elsewhere.
etc_before=$(ls -la --time-style=full-iso /etc/ebph 2>&1)
src=$tmp/src
mkdir "$src"
cp ./*.c ./*.h Makefile ebph.8 ebph.service ebph.conf "$src/"

# run_ebph BINARY ARGS...: attaches, answers `status`, stops with 0.
run_ebph() {
	bin=$1; shift
	EBPH_BIN=$bin ebph_start "$tmp/log" --no-load --no-save "$@" || return 1
	"$bin" status >"$tmp/status" 2>&1
	st=$?
	kill -INT "$pid"
	wait "$pid"
	rc=$?
	pid=
	grep -q "ebph attached" "$tmp/log" && [ "$st" -eq 0 ] && [ "$rc" -eq 0 ] &&
		grep -q "^monitoring   on" "$tmp/status"
}

# ---- make install DESTDIR=stage ---------------------------------------------------
stage=$tmp/stage
make -C "$src" install DESTDIR="$stage" >"$tmp/make.log" 2>&1
check "make install DESTDIR=... succeeds" [ $? -eq 0 ]
p=$stage/usr/local
check "binary in PREFIX/sbin, mode 755" [ "$(stat -c %a "$p/sbin/ebph" 2>/dev/null)" = 755 ]
check "BPF object in PREFIX/lib/ebph" [ "$(stat -c %a "$p/lib/ebph/ebph_kern.o" 2>/dev/null)" = 644 ]
check "man page in PREFIX/share/man/man8" [ -f "$p/share/man/man8/ebph.8" ]
check "unit in PREFIX/lib/systemd/system" [ -f "$p/lib/systemd/system/ebph.service" ]
check "the unit starts the installed binary" \
	grep -q "^ExecStart=/usr/local/sbin/ebph run" "$p/lib/systemd/system/ebph.service"
check "nothing outside DESTDIR/PREFIX and /etc/ebph" \
	[ "$(ls "$stage" | tr '\n' ' ')" = "etc usr " ] && [ "$(ls "$stage/usr")" = local ] &&
	[ "$(ls -A "$stage/etc")" = ebph ]
check "the example config in /etc/ebph, mode 644" [ "$(stat -c %a "$stage/etc/ebph/ebph.conf" 2>/dev/null)" = 644 ]
echo "normal-wait = 3d" >>"$stage/etc/ebph/ebph.conf"
cp "$stage/etc/ebph/ebph.conf" "$tmp/conf.admin"
make -C "$src" install DESTDIR="$stage" >/dev/null 2>&1
check "make install again keeps the admin's config" cmp -s "$stage/etc/ebph/ebph.conf" "$tmp/conf.admin"
make -C "$src" uninstall DESTDIR="$stage" >/dev/null 2>&1
check "make uninstall keeps the admin's config" cmp -s "$stage/etc/ebph/ebph.conf" "$tmp/conf.admin"
rm "$stage/etc/ebph/ebph.conf"
make -C "$src" install DESTDIR="$stage" >/dev/null 2>&1
"$p/sbin/ebph" -h >"$tmp/help" 2>&1
check "the staged binary looks in /usr/local/lib/ebph" \
	grep -q "else /usr/local/lib/ebph/ebph_kern.o" "$tmp/help"
check "installed, profiles go to /var/lib/ebph/profiles" \
	grep -q "(default /var/lib/ebph/profiles)" "$tmp/help"
check "the staged binary runs its staged object" \
	run_ebph "$p/sbin/ebph" -o "$p/lib/ebph/ebph_kern.o"

# man -l renders the page, without a warning from groff
MANWIDTH=80 man -l "$p/share/man/man8/ebph.8" >"$tmp/man" 2>"$tmp/man.err"
check "man -l renders the page" grep -q "ebph - process homeostasis (pH) on eBPF" "$tmp/man"
check "the page documents every command" \
	sh -c "for c in status ps profiles show normalize sensitize tolerize delete save set top; do grep -q \"^       \$c\" '$tmp/man' || exit 1; done"
check "man -l: no warnings" [ ! -s "$tmp/man.err" ]
groff -man -ww -z "$p/share/man/man8/ebph.8" >"$tmp/groff" 2>&1
check "groff -ww: no warnings" [ ! -s "$tmp/groff" ]

make -C "$src" uninstall DESTDIR="$stage" >/dev/null 2>&1
check "make uninstall removes them" [ -z "$(find "$stage" -type f)" ]

# ---- make install PREFIX=p: the binary finds its object -----------------------------
pfx=$tmp/prefix
make -C "$src" install PREFIX="$pfx" CONFDIR="$pfx/etc/ebph" >"$tmp/make.log" 2>&1
check "make install PREFIX=... succeeds" [ $? -eq 0 ]
check "PREFIX reaches the unit" grep -q "^ExecStart=$pfx/sbin/ebph run" "$pfx/lib/systemd/system/ebph.service"
check "the installed binary finds its BPF object in PREFIX/lib/ebph" \
	run_ebph "$pfx/sbin/ebph" -v
check "...that one" grep -q "opened $pfx/lib/ebph/ebph_kern.o" "$tmp/log"
check "PREFIX=... with CONFDIR=...: the config there" [ -f "$pfx/etc/ebph/ebph.conf" ]
check "the machine's /etc/ebph untouched" [ "$(ls -la --time-style=full-iso /etc/ebph 2>&1)" = "$etc_before" ]

# ---- make KERNEL_DIR=k ----------------------------------------------------------------
# k: what `make headers_install` makes of Debian's linux-headers package
# tree.  The package cannot run that target itself (it ships no
# scripts/basic), so do what Makefile.headersinst does: run the kernel's
# own scripts/headers_install.sh, from linux-kbuild, on every exported
# header of the uapi directories.
k=$tmp/linux
hdr=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1)
common=$(sed -n 's|^include \(.*\)/Makefile$|\1|p' "$hdr/Makefile" 2>/dev/null)
install_uapi() { # install_uapi TREE DIR: TREE/DIR's headers into $k/usr/include
	# From TREE, with relative names: headers_install.sh finds its
	# scripts/unifdef there, and its list of known CONFIG_ leaks is
	# keyed by srctree-relative paths.
	( cd "$1/$2" && find . -name '*.h' ) | while read -r f; do
		out=$k/usr/include/${f#./}
		mkdir -p "${out%/*}"
		( cd "$1" && sh scripts/headers_install.sh "$2/${f#./}" "$out" ) 2>>"$tmp/hi.log" ||
			echo "headers_install.sh: $1/$2/$f failed" >>"$tmp/hi.log"
	done
}
: >"$tmp/hi.log"
if [ -d "$hdr" ] && [ -d "$common" ]; then
	install_uapi "$common" include/uapi
	install_uapi "$common" arch/x86/include/uapi
	install_uapi "$hdr" include/generated/uapi
	install_uapi "$hdr" arch/x86/include/generated/uapi
fi
check "a headers_install tree from Debian's linux-headers package ($hdr)" \
	[ -f "$k/usr/include/linux/bpf.h" -a -f "$k/usr/include/asm/types.h" -a ! -s "$tmp/hi.log" ]
check "...exported for user space (no __KERNEL__ left in linux/types.h)" \
	sh -c "! grep -q '__KERNEL__' '$k/usr/include/linux/types.h'"
[ -s "$tmp/hi.log" ] && head -n 5 "$tmp/hi.log"

# poison FILE: a header that stops any compiler that reads it.
poison() {
	cp "$k/usr/include/$1" "$tmp/orig"
	{ echo "#error \"read from KERNEL_DIR: $1\""; cat "$tmp/orig"; } >"$k/usr/include/$1"
}
unpoison() { cp "$tmp/orig" "$k/usr/include/$1"; }
make -C "$src" clean >/dev/null 2>&1
for h in linux/bpf.h asm/types.h; do
	poison $h
	make -C "$src" KERNEL_DIR="$k" ebph_kern.o >"$tmp/make.log" 2>&1
	check "clang -target bpf reads $h from KERNEL_DIR" grep -q "read from KERNEL_DIR: $h" "$tmp/make.log"
	make -C "$src" KERNEL_DIR="$k" bpf_load.o >"$tmp/make.log" 2>&1
	check "cc reads $h from KERNEL_DIR" grep -q "read from KERNEL_DIR: $h" "$tmp/make.log"
	unpoison $h
done
make -C "$src" KERNEL_DIR="$k" >"$tmp/make.log" 2>&1
check "make KERNEL_DIR=... builds" [ $? -eq 0 ]
check "...and that ebph runs" run_ebph "$src/ebph"

if [ "$fail" -ne 0 ]; then
	echo "---- last make ----"; tail -n 5 "$tmp/make.log"
	echo "---- last ebph ----"; tail -n 5 "$tmp/log"
fi
test_end
