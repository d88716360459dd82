#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Client-certificate authentication on the HTTPS audit webhook (webserver.ssl_client_ca): with
# an openssl-made CA, server and client certificates, curl with the client certificate gets 200
# and the alert; without a certificate, or with one from another CA, the handshake is refused
# and logged with the peer's address; plain HTTP on the TLS port is refused; a bad CA bundle is
# a clear error. The server's PEM comes from Falco's init_config.sslCertificate, which wins
# over webserver.ssl_certificate. Skips (77) without the fixtures, curl, openssl or python3.
# Usage: webhook-mtls.sh OSPREY.
set -u
osprey=$1
here=$(cd "$(dirname "$0")" && pwd)
fx=${K8S_AUDIT_FIXTURES:-$here/../../../shared/fixtures}
k8s=$fx/k8s-audit
[ -d "$k8s/traces" ] && [ -f "$fx/falco-rules/falco_rules.yaml" ] ||
	{ echo "SKIP: $k8s not found (the shared fixtures are not checked out)"; exit 77; }
for p in curl openssl python3; do
	command -v $p >/dev/null || { echo "SKIP: $p not installed"; exit 77; }
done
tmp=$(mktemp -d) || exit 1
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0
check() { # check NAME COND...
	name=$1
	shift
	if "$@"; then echo "ok $name"; else echo "not ok $name"; sed 's/^/# /' "$tmp/err" | tail -5; fail=1; fi
}
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# ca NAME: a self-signed CA
ca() {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/$1.key" -out "$tmp/$1.crt" \
		-days 1 -subj "/CN=$1" >/dev/null 2>&1
}
# leaf NAME CA CN: a certificate for CN signed by CA
leaf() {
	openssl req -newkey rsa:2048 -nodes -keyout "$tmp/$1.key" -out "$tmp/$1.csr" \
		-subj "/CN=$3" >/dev/null 2>&1 &&
		openssl x509 -req -in "$tmp/$1.csr" -CA "$tmp/$2.crt" -CAkey "$tmp/$2.key" \
			-CAcreateserial -out "$tmp/$1.crt" -days 1 >/dev/null 2>&1
}
ca ca && ca other && leaf server ca localhost && leaf client ca kube-apiserver &&
	leaf stranger other kube-apiserver || { echo "openssl could not make the certificates"; exit 1; }
cat "$tmp/server.crt" "$tmp/server.key" >"$tmp/server.pem"

port=$(free_port)
url=https://127.0.0.1:$port/k8s-audit
"$osprey" -c "$k8s/falco-k8s-audit.yaml" --enable-source=k8s_audit \
	-r "$fx/falco-rules/falco_rules.yaml" -r "$k8s/rules/k8s_audit_rules.yaml" \
	-o json_output=true -o "plugins[0].open_params=$url" \
	-o "plugins[0]={init_config: {sslCertificate: $tmp/server.pem}}" \
	-o webserver.ssl_certificate=/nonexistent.pem -o "webserver.ssl_client_ca=$tmp/ca.crt" \
	>"$tmp/out" 2>"$tmp/err" &
pid=$!
listening() {
	i=0
	while ! grep -q "Kubernetes audit webhook on" "$tmp/err"; do
		i=$((i + 1))
		[ $i -gt 300 ] || ! kill -0 $pid 2>/dev/null && return 1
		sleep 0.1
	done
}
check "mtls: listening" listening
check "mtls: says client certificates are required" \
	grep -q "https, client certificates required" "$tmp/err"
trace=$k8s/traces/attach_cluster_admin_role.json
rule="Attach to cluster-admin Role"
# post [curl options...]: prints the HTTP status (000 when the connection failed)
post() {
	curl -s --cacert "$tmp/ca.crt" -o /dev/null -w '%{http_code}' -X POST \
		-H "Content-Type: application/json" --data-binary "@$trace" "$@" \
		"https://localhost:$port/k8s-audit" --resolve "localhost:$port:127.0.0.1"
}
wait_alert() {
	i=0
	while ! grep -q "\"rule\":\"$rule\"" "$tmp/out"; do
		i=$((i + 1))
		[ $i -gt 150 ] && return 1
		sleep 0.1
	done
}
check "mtls: the right client certificate: 200" \
	[ "$(post --cert "$tmp/client.crt" --key "$tmp/client.key")" = 200 ]
check "mtls: the alert comes out" wait_alert
check "mtls: no client certificate: refused" [ "$(post)" = 000 ]
check "mtls: logged with the peer's address" \
	grep -q "TLS handshake from 127.0.0.1 port [0-9]* refused: .*webserver.ssl_client_ca" "$tmp/err"
check "mtls: a certificate from another CA: refused" \
	[ "$(post --cert "$tmp/stranger.crt" --key "$tmp/stranger.key")" = 000 ]
check "mtls: logged twice" [ "$(grep -c "TLS handshake from 127.0.0.1" "$tmp/err")" -ge 2 ]
code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$port/k8s-audit")
check "mtls: plain http on the TLS port: refused" [ "$code" != 200 ]
check "mtls: still serving" [ "$(post --cert "$tmp/client.crt" --key "$tmp/client.key")" = 200 ]
check "mtls: one alert per accepted post" \
	sh -c "sleep 1; [ \$(grep -c '\"rule\":\"$rule\"' '$tmp/out') -eq 2 ]"
kill -TERM $pid
wait $pid
rc=$?
pid=
check "mtls: SIGTERM: exit 0" [ $rc = 0 ]

# a CA bundle that is not one: a clear error naming it, exit != 0
echo "not a certificate" >"$tmp/bad.pem"
"$osprey" -c "$k8s/falco-k8s-audit.yaml" --enable-source=k8s_audit \
	-r "$k8s/rules/k8s_audit_rules.yaml" -o "plugins[0].open_params=$url" \
	-o "webserver.ssl_certificate=$tmp/server.pem" -o "webserver.ssl_client_ca=$tmp/bad.pem" \
	>"$tmp/out" 2>"$tmp/err"
check "mtls: bad CA bundle refused" [ $? -ne 0 ]
check "mtls: and named" grep -q "client CA bundle '$tmp/bad.pem'" "$tmp/err"
exit $fail
