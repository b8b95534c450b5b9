#!/usr/bin/env bash
# Installs what the integration tests need on a Debian bookworm machine: etcd from Debian, and a
# kube-apiserver built from Debian's kubernetes source package. The binary is cached outside the
# repository (DRIFTGUARD_CACHE, default ~/.cache/driftguard) so it is built once per machine.
set -euo pipefail

cache="${DRIFTGUARD_CACHE:-$HOME/.cache/driftguard}"
# Bump the build tag whenever the patches below change, so every machine rebuilds once.
build_tag="kube-apiserver-1.20.2-dg1"
apiserver="$cache/$build_tag/kube-apiserver"
mkdir -p "$cache/$build_tag"

need_apt=()
command -v etcd >/dev/null 2>&1 || need_apt+=(etcd-server)
if [ ! -x "$apiserver" ]; then
  command -v go >/dev/null 2>&1 || need_apt+=(golang-go)
  command -v rsync >/dev/null 2>&1 || need_apt+=(rsync)
  command -v dpkg-source >/dev/null 2>&1 || need_apt+=(dpkg-dev)
  [ -d /usr/share/gocode/src/github.com/modern-go/reflect2 ] || need_apt+=(golang-github-modern-go-reflect2-dev)
fi
command -v kubectl >/dev/null 2>&1 || need_apt+=(kubernetes-client)
# promtool and a real Prometheus server prove the shipped alerts; lua5.1 runs the Argo CD health checks.
command -v promtool >/dev/null 2>&1 || need_apt+=(prometheus)
command -v lua5.1 >/dev/null 2>&1 || need_apt+=(lua5.1)

sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if [ ! -x "$apiserver" ] && ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
  echo "install-envtest: adding a deb-src entry for bookworm main" >&2
  printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    | sudo_ tee /etc/apt/sources.list.d/driftguard-src.sources >/dev/null
  need_update=1
fi

if [ "${#need_apt[@]}" -gt 0 ] || [ -n "${need_update:-}" ]; then
  echo "install-envtest: apt-get install ${need_apt[*]:-}" >&2
  sudo_ apt-get update -qq
  [ "${#need_apt[@]}" -gt 0 ] && sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ ! -x "$apiserver" ]; then
  work="$cache/build"
  rm -rf "$work" && mkdir -p "$work" && cd "$work"
  echo "install-envtest: fetching Debian's kubernetes source (once per machine)" >&2
  apt-get source --download-only kubernetes >/dev/null
  dpkg-source --no-check -x kubernetes_*.dsc src >/dev/null
  cd src
  # The vendored reflect2 1.0.1 crashes under Go >= 1.18 on the first custom-resource create; use Debian's 1.0.2.
  rsync -a --include='*.go' --exclude='*' /usr/share/gocode/src/github.com/modern-go/reflect2/ vendor/github.com/modern-go/reflect2/
  rm -f vendor/github.com/modern-go/reflect2/go_above_17.go vendor/github.com/modern-go/reflect2/go_below_17.go vendor/github.com/modern-go/reflect2/go_below_19.go
  echo "install-envtest: building kube-apiserver (about 5 minutes)" >&2
  mkdir -p "$work/gopath" "$work/home"
  GOPATH="$work/gopath" HOME="$work/home" GOFLAGS=-mod=vendor make WHAT=cmd/kube-apiserver >"$work/build.log" 2>&1 || {
    tail -n 50 "$work/build.log" >&2; exit 1; }
  cp _output/local/bin/linux/amd64/kube-apiserver "$apiserver.tmp" && mv "$apiserver.tmp" "$apiserver"
  cd / && rm -rf "$work"
fi

echo "install-envtest: kube-apiserver at $apiserver; etcd at $(command -v etcd)" >&2
