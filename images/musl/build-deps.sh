#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Builds the libraries osprey and osprey-driver-loader link, as static musl libraries, from
# Debian's own source packages (the versions below, pinned), into a prefix cached between runs.
# images/build.sh then links both binaries fully static against it, so the same files run on
# Alpine, on a scratch base and on this host.
#   images/musl/build-deps.sh [CACHE_DIR]     (default: $OSPREY_MUSL_CACHE or /var/cache/osprey-musl)
# Needs: musl-tools, dpkg-dev, cmake, autoconf, automake, libtool, pkg-config, make (run as root on
# Debian 12; images/build.sh installs them). The deb-src lines are made from the machine's own
# apt sources into a private apt directory: the system's apt configuration is not changed.
set -euo pipefail

cache=${1:-${OSPREY_MUSL_CACHE:-/var/cache/osprey-musl}}
prefix=$cache/prefix
jobs=$(nproc)

# Debian 12 source packages: name=version. When Debian ships a security update the old version
# disappears from the archive: fetch() then builds the new one and says so; update the pin.
PINS=(
	zlib=1:1.2.13.dfsg-1
	xz-utils=5.4.1-1+deb12u1
	zstd=1.5.4+dfsg2-5
	openssl=3.0.20-1~deb12u2
	curl=7.88.1-10+deb12u15
	libyaml=0.2.5-1
	json-c=0.16-2
	xxhash=0.8.1-1
	pcre2=10.42-1
	libevent=2.1.12-stable-8+deb12u1
	nghttp2=1.52.0-1+deb12u3
	protobuf-c=1.4.1-1
	elfutils=0.188-2.1
	libbpf=1.1.2-0+deb12u1
	kmod=30+20221128-1
	libarchive=3.6.2-1+deb12u4
)

log() { printf 'build-deps: %s\n' "$*" >&2; }

apt_dir=$cache/apt
apt_opts=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$apt_dir/parts"
	-o Dir::State::Lists="$apt_dir/lists" -o Dir::Cache="$apt_dir/cache"
	-o APT::Sandbox::User=root)

setup_apt() {
	mkdir -p "$apt_dir/parts" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
	local src
	for src in /etc/apt/sources.list.d/*.sources; do
		[[ -f $src ]] || continue
		grep -q 'debian' "$src" || continue
		sed 's/^Types: deb$/Types: deb-src/' "$src" >"$apt_dir/parts/$(basename "$src")"
	done
	if [[ -f /etc/apt/sources.list ]]; then
		sed -n 's/^deb \(.*debian.*\)$/deb-src \1/p' /etc/apt/sources.list >"$apt_dir/parts/sources.list"
		mv "$apt_dir/parts/sources.list" "$apt_dir/parts/osprey-src.list"
	fi
	if [[ -z $(ls "$apt_dir/lists" | grep -v partial) ]]; then
		apt-get "${apt_opts[@]}" update -q >&2
	fi
}

# fetch NAME=VERSION: unpacks the source package into $cache/src/NAME (once). When Debian no
# longer serves the pinned version (a security update replaced it), the version it serves now
# is built instead, loudly: update PINS to it.
fetch() {
	local name=${1%%=*} version=${1#*=} dir=$cache/src/$name want
	if [[ -f $dir/.unpacked && $(cat "$dir/.unpacked") == "$version" ]]; then
		return
	fi
	rm -rf "$dir" "$cache/dl/$name"
	mkdir -p "$cache/dl/$name" "$cache/src"
	log "fetching $name $version"
	want="$name=$version"
	if ! apt-cache "${apt_opts[@]}" showsrc "$name" 2>/dev/null | grep -qx "Version: $version"; then
		log "WARNING: Debian no longer serves $name $version: building the version it serves" \
			"now; update PINS in $0"
		want=$name
	fi
	if ! (cd "$cache/dl/$name" && apt-get "${apt_opts[@]}" source -q --download-only "$want" >&2); then
		log "cannot download the source of $name from Debian's archive"
		exit 1
	fi
	dpkg-source -q -x "$cache/dl/$name"/*.dsc "$dir" >&2
	echo "$version" >"$dir/.unpacked"
}

# The musl compiler sees the kernel's UAPI headers (linux/, asm/) from Debian's linux-libc-dev.
kinc=$cache/kernel-include
setup_kinc() {
	mkdir -p "$kinc"
	local d
	for d in linux asm-generic mtd; do
		ln -sfn "/usr/include/$d" "$kinc/$d"
	done
	ln -sfn /usr/include/x86_64-linux-gnu/asm "$kinc/asm"
}

export CC=musl-gcc
export CFLAGS="-O2 -fPIC -I$prefix/include -I$kinc -D_GNU_SOURCE"
export CPPFLAGS="-I$prefix/include -I$kinc"
export LDFLAGS="-L$prefix/lib -static"
export PKG_CONFIG_LIBDIR=$prefix/lib/pkgconfig
export PKG_CONFIG_PATH=

built() { [[ -f $cache/done/$1 && $(cat "$cache/done/$1") == "$2" ]]; }
mark() { mkdir -p "$cache/done"; echo "$2" >"$cache/done/$1"; }

autotools() { # autotools DIR ARGS...: configure (autoreconf when there is no configure), make, install
	local dir=$1
	shift
	cd "$dir"
	# Regenerated with this machine's autotools, as Debian's own build does (dh_autoreconf):
	# Debian's patches touch configure.ac or Makefile.am, and a release's configure made with
	# another automake would otherwise be re-run by make halfway through the build.
	autoreconf -fi >&2
	./configure --prefix="$prefix" --libdir="$prefix/lib" --disable-shared --enable-static "$@" >&2
}

build_one() {
	local pin=$1 name=${1%%=*} version=${1#*=} src=$cache/src/${1%%=*}
	if built "$name" "$version"; then
		return
	fi
	fetch "$pin"
	log "building $name $version"
	# A subshell outside any || list, so that set -e stops it at the first failing command.
	set +e
	(
	set -e
	case $name in
	zlib)
		cd "$src" && ./configure --static --prefix="$prefix" --libdir="$prefix/lib" >&2
		make -j"$jobs" libz.a >&2
		make install >&2 ;;
	xz-utils)
		autotools "$src" --disable-xz --disable-xzdec --disable-lzmadec --disable-lzmainfo \
			--disable-lzma-links --disable-scripts --disable-doc --disable-nls
		make -j"$jobs" -C src/liblzma >&2
		make -C src/liblzma install >&2 ;;
	zstd)
		cd "$src/lib"
		make -j"$jobs" libzstd.a libzstd.pc PREFIX="$prefix" LIBDIR="$prefix/lib" >&2
		make install-static install-pc install-includes PREFIX="$prefix" LIBDIR="$prefix/lib" >&2 ;;
	openssl)
		cd "$src"
		./Configure linux-x86_64 no-shared no-tests no-engine no-module no-async \
			--prefix="$prefix" --libdir=lib --openssldir=/etc/ssl "-I$kinc" >&2
		make -j"$jobs" build_libs >&2
		make install_dev >&2 ;;
	curl)
		# Debian's last two patches turn the tree into its GnuTLS and NSS flavours; the
		# OpenSSL flavour is the tree without them, as debian/rules builds it.
		if [[ ! -f $src/.flavour-reverted ]]; then
			(cd "$src" && patch -s -R -p1 <debian/patches/99_nss.patch &&
				patch -s -R -p1 <debian/patches/90_gnutls.patch)
			touch "$src/.flavour-reverted"
		fi
		# Without -D_GNU_SOURCE: with it, musl's headers clash with curl_memory.h's macros.
		export CFLAGS="-O2 -fPIC" CPPFLAGS="-I$prefix/include"
		autotools "$src" --with-openssl="$prefix" --with-ca-bundle=/etc/ssl/certs/ca-certificates.crt \
			--with-ca-path=/etc/ssl/certs --without-libpsl --without-libidn2 --without-nghttp2 \
			--without-brotli --without-zstd --without-librtmp --without-libssh2 --without-libgsasl \
			--disable-ldap --disable-ldaps --disable-rtsp --disable-dict --disable-telnet --disable-tftp \
			--disable-pop3 --disable-imap --disable-smtp --disable-gopher --disable-mqtt --disable-manual \
			--disable-ntlm --disable-docs --enable-unix-sockets --disable-threaded-resolver
		make -j"$jobs" -C lib >&2
		make -C lib install >&2
		make -C include install >&2
		make install-pkgconfigDATA >&2 ;;
	libyaml)
		autotools "$src"
		make -j"$jobs" >&2
		make install >&2 ;;
	json-c)
		mkdir -p "$src/build" && cd "$src/build"
		cmake .. -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib -DCMAKE_C_COMPILER=musl-gcc \
			-DBUILD_SHARED_LIBS=OFF -DBUILD_STATIC_LIBS=ON -DBUILD_TESTING=OFF -DDISABLE_WERROR=ON \
			-DBUILD_APPS=OFF >&2
		make -j"$jobs" >&2
		make install >&2 ;;
	xxhash)
		cd "$src"
		make -j"$jobs" libxxhash.a >&2
		install -m 0644 libxxhash.a "$prefix/lib/"
		install -m 0644 xxhash.h xxh3.h "$prefix/include/"
		printf '%s\n' "prefix=$prefix" 'libdir=${prefix}/lib' 'includedir=${prefix}/include' '' \
			'Name: xxhash' 'Description: extremely fast hash algorithm' \
			"Version: ${version%%-*}" 'Libs: -L${libdir} -lxxhash' 'Cflags: -I${includedir}' \
			>"$prefix/lib/pkgconfig/libxxhash.pc" ;;
	pcre2)
		autotools "$src" --enable-jit --disable-pcre2grep-jit --disable-pcre2test-libedit
		make -j"$jobs" libpcre2-8.la >&2
		make install-libLTLIBRARIES install-includeHEADERS install-nodist_includeHEADERS \
			install-pkgconfigDATA >&2 ;;
	libevent)
		autotools "$src" --disable-samples --disable-libevent-regress --disable-debug-mode \
			--disable-doxygen-html --enable-openssl
		make -j"$jobs" >&2
		make install >&2 ;;
	nghttp2)
		autotools "$src" --enable-lib-only --disable-python-bindings --disable-examples \
			--disable-app --disable-hpack-tools --without-libxml2 --without-jemalloc
		make -j"$jobs" -C lib >&2
		make -C lib install >&2 ;;
	protobuf-c)
		# The runtime library only: protoc-c (C++) comes from the build machine.
		autotools "$src" --disable-protoc
		make -j"$jobs" >&2
		make install >&2 ;;
	elfutils)
		# Only libelf: the tools need argp, fts and obstack, which musl has not; configure's
		# checks for them are answered from its cache, and only libelf/ is built.
		autotools "$src" --disable-debuginfod --disable-libdebuginfod --disable-nls \
			--without-bzlib --without-lzma --without-zstd --without-biarch \
			ac_cv_search_argp_parse='none required' ac_cv_search_fts_close='none required' \
			ac_cv_search__obstack_free='none required' ac_cv_header_fts_h=yes \
			ac_cv_c_compiler_gnu=yes
		make -j"$jobs" -C libelf libelf.a >&2
		install -D -m 0644 libelf/libelf.a "$prefix/lib/libelf.a"
		install -m 0644 libelf/libelf.h libelf/gelf.h libelf/nlist.h "$prefix/include/"
		install -D -m 0644 config/libelf.pc "$prefix/lib/pkgconfig/libelf.pc" ;;
	libbpf)
		cd "$src/src"
		mkdir -p "$src/obj" # its Makefile writes libbpf.pc there before making the directory
		make -j"$jobs" BUILD_STATIC_ONLY=y OBJDIR="$src/obj" PREFIX="$prefix" LIBDIR="$prefix/lib" \
			EXTRA_CFLAGS="$CFLAGS" install >&2 ;;
	kmod)
		# kmod's configure refuses --enable-static: build the shared library's PIC objects
		# and archive them (libkmod and its internal shared/ helpers).
		cd "$src"
		touch libkmod/docs/gtk-doc.make # what kmod's autogen.sh does without gtk-doc
		autoreconf -fi >&2
		./configure --prefix="$prefix" --libdir="$prefix/lib" --disable-manpages \
			--disable-test-modules --without-zstd --without-xz --without-zlib --without-openssl \
			--disable-python --disable-gtk-doc LDFLAGS="-L$prefix/lib" >&2
		make -j"$jobs" libkmod/libkmod.la >&2
		ar rcs "$prefix/lib/libkmod.a" libkmod/.libs/*.o shared/.libs/*.o
		install -m 0644 libkmod/libkmod.h "$prefix/include/"
		sed -e "s|@prefix@|$prefix|; s|@exec_prefix@|$prefix|; s|@libdir@|$prefix/lib|" \
			-e "s|@includedir@|$prefix/include|; s|@VERSION@|30|" \
			-e "s|@libzstd_LIBS@||; s|@liblzma_LIBS@||; s|@zlib_LIBS@||" \
			libkmod/libkmod.pc.in >"$prefix/lib/pkgconfig/libkmod.pc" ;;
	libarchive)
		autotools "$src" --disable-bsdtar --disable-bsdcpio --disable-bsdcat --disable-bsdunzip \
			--disable-acl --disable-xattr --without-xml2 --without-expat --without-openssl \
			--without-bz2lib --without-lz4 --without-libb2 --without-cng --without-iconv \
			--with-zlib --with-lzma --with-zstd
		make -j"$jobs" libarchive.la >&2
		make install-libLTLIBRARIES install-includeHEADERS install-pkgconfigDATA >&2 ;;
	esac
	)
	local rc=$?
	set -e
	if ((rc)); then
		log "building $name failed (the commands' output is above)"
		exit 1
	fi
	mark "$name" "$version"
}

for t in musl-gcc dpkg-source cmake autoreconf libtoolize pkg-config; do
	command -v "$t" >/dev/null || { log "'$t' is missing (images/build.sh installs it)"; exit 1; }
done
mkdir -p "$cache" "$prefix/lib/pkgconfig" "$prefix/include"
setup_apt
setup_kinc
for p in "${PINS[@]}"; do
	build_one "$p"
done
log "all ${#PINS[@]} libraries in $prefix"
