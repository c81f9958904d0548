#!/usr/bin/env bash
# Installs the Debian packages whose daemons and checkers the live tests run.
# Package scripts must not start services: each test starts its own on loopback.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
policy=/usr/sbin/policy-rc.d
had_policy=0
if [ -e "$policy" ]; then had_policy=1; fi
if [ "$had_policy" = 0 ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod +x "$policy"
fi
trap '[ "$had_policy" = 0 ] && rm -f "$policy"' EXIT
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  mariadb-server mariadb-client \
  redis-server redis-tools \
  haproxy keepalived nginx-light php-fpm php-cli php-redis php-mysql \
  apache2 gnupg \
  prometheus prometheus-alertmanager \
  prometheus-node-exporter prometheus-mysqld-exporter prometheus-redis-exporter \
  openssh-server fail2ban python3-systemd shellcheck \
  apache2-utils docker-compose systemd \
  nfs-ganesha nfs-ganesha-vfs libnfs-utils bindfs cups-daemon samba \
  iproute2 nftables python3 procps curl ca-certificates tzdata \
  debootstrap systemd-container apt-cacher-ng socat >/dev/null
# nfs-ganesha's unit is enabled by the package: the live test runs ganesha.nfsd in a namespace of its own,
# so the machine's own NFS server must neither run now nor start at the next boot.
if [ -d /run/systemd/system ]; then
  systemctl disable --now --quiet nfs-ganesha.service nfs-ganesha-lock.service 2>/dev/null || true
fi
