// SPDX-License-Identifier: Apache-2.0
// Renders helm/osprey for each values combination and checks what each must produce, beyond
// the API validation of validate.mjs: the controller kind, the init container and its command,
// privileged or the capability set, the host mounts each driver kind needs and no more, the
// probes, the Service and ServiceMonitor, the loader's key and mirror wiring, and the refusals.
// Usage (from the tools dir): node chart-checks.mjs HELM CHART_DIR
import { execFileSync } from "node:child_process";
import { parseAllDocuments } from "yaml";

const [helm, chart] = process.argv.slice(2);
let failed = 0, passed = 0;

function render(args) {
	const out = execFileSync(helm, ["template", "t", chart, "--namespace", "sec", ...args],
		{ encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
	return parseAllDocuments(out).map((d) => d.toJS()).filter(Boolean);
}
function refuses(args, what) {
	try {
		execFileSync(helm, ["template", "t", chart, ...args], { stdio: "pipe" });
	} catch (e) {
		return String(e.stderr).includes(what);
	}
	return false;
}
function check(name, cond, detail = "") {
	if (cond) {
		passed++;
	} else {
		failed++;
		console.log(`FAIL: ${name}${detail ? ": " + detail : ""}`);
	}
}
const find = (objs, kind) => objs.find((o) => o.kind === kind);
const podSpec = (objs) => (find(objs, "DaemonSet") ?? find(objs, "Deployment")).spec.template.spec;
const ctr = (spec, name) => [...(spec.initContainers ?? []), ...spec.containers].find((c) => c.name === name);
const mounts = (c) => (c.volumeMounts ?? []).map((m) => m.mountPath).sort();
const hostPaths = (spec) => spec.volumes.filter((v) => v.hostPath).map((v) => v.hostPath.path).sort();
const config = (objs) => objs.find((o) => o.kind === "ConfigMap" && o.metadata.name === "t-osprey").data["osprey.yaml"];

// default: DaemonSet, loader "auto", privileged, hostPID, every node, probes on /healthz.
{
	const o = render([]);
	const s = podSpec(o);
	const l = ctr(s, "osprey-driver-loader"), m = ctr(s, "osprey");
	check("default: a DaemonSet", !!find(o, "DaemonSet") && !find(o, "Deployment"));
	check("default: loader runs auto", l && l.args.at(-1) === "auto", JSON.stringify(l?.args));
	check("default: loader writes the shared choice file",
		l.args.includes("--choice-file=/var/run/osprey/driver") &&
		mounts(l).includes("/var/run/osprey") && mounts(m).includes("/var/run/osprey"));
	check("default: hostPID", s.hostPID === true);
	check("default: tolerates every taint", s.tolerations.some((t) => t.operator === "Exists" && !t.key));
	check("default: privileged", m.securityContext.privileged === true);
	check("default: read-only root", m.securityContext.readOnlyRootFilesystem === true);
	check("default: liveness and readiness on /healthz",
		m.livenessProbe.httpGet.path === "/healthz" && m.readinessProbe.httpGet.path === "/healthz");
	check("default: host paths", JSON.stringify(hostPaths(s)) === JSON.stringify(
		["/etc", "/lib/modules", "/proc", "/run/containerd/containerd.sock", "/run/crio/crio.sock", "/var/run/docker.sock"]),
		JSON.stringify(hostPaths(s)));
	check("default: every host mount read-only", [...s.initContainers, ...s.containers].every((c) =>
		c.volumeMounts.filter((vm) => s.volumes.find((v) => v.name === vm.name).hostPath).every((vm) => vm.readOnly)));
	check("default: engine.kind left to the choice file", !/^\s*kind:/m.test(config(o)), config(o));
	check("default: no ServiceMonitor", !find(o, "ServiceMonitor"));
	check("default: Service on 8765", find(o, "Service").spec.ports[0].port === 8765);
	check("default: no RBAC objects", !o.some((x) => /Role/.test(x.kind)));
	check("default: no service account token", s.automountServiceAccountToken === false);
}
// modern_ebpf + leastPrivileged: capabilities, not privileged, no module paths.
{
	const o = render(["--set", "driver.kind=modern_ebpf", "--set", "driver.modernEbpf.leastPrivileged=true"]);
	const s = podSpec(o), m = ctr(s, "osprey"), l = ctr(s, "osprey-driver-loader");
	check("leastPrivileged: loader runs ebpf", l.args.at(-1) === "ebpf");
	check("leastPrivileged: not privileged", !m.securityContext.privileged && !l.securityContext.privileged);
	check("leastPrivileged: capabilities", JSON.stringify(m.securityContext.capabilities) === JSON.stringify(
		{ drop: ["ALL"], add: ["BPF", "PERFMON", "SYS_RESOURCE", "SYS_PTRACE", "DAC_READ_SEARCH"] }),
		JSON.stringify(m.securityContext.capabilities));
	check("leastPrivileged: no /lib/modules", !hostPaths(s).includes("/lib/modules"), JSON.stringify(hostPaths(s)));
}
// kmod: privileged loader with /lib/modules, command kmod; buffer preset reaches osprey.yaml.
{
	const o = render(["--set", "driver.kind=kmod", "--set", "driver.kmod.bufSizePreset=6"]);
	const s = podSpec(o), l = ctr(s, "osprey-driver-loader");
	check("kmod: loader runs kmod", l.args.at(-1) === "kmod");
	check("kmod: loader privileged", l.securityContext.privileged === true);
	check("kmod: /lib/modules for the loader", mounts(l).includes("/host/lib/modules"));
	check("kmod: no /usr without the build fallback", !hostPaths(s).includes("/usr"));
	check("kmod: buf_size_preset", /kmod:\n\s+buf_size_preset: 6/.test(config(o)), config(o));
	const b = render(["--set", "driver.kind=kmod", "--set", "driver.loader.build=true"]);
	check("kmod+build: /usr mounted", hostPaths(podSpec(b)).includes("/usr") &&
		!ctr(podSpec(b), "osprey-driver-loader").args.includes("--no-build"));
}
// air-gapped mirror: repos, inline key, CA from an existing Secret.
{
	const o = render(["--set", "driver.kind=kmod",
		"--set", "driver.loader.repos={https://mirror.sec.svc/drivers,http://backup.sec.svc/drivers}",
		"--set-string", "driver.loader.publicKey.value=-----BEGIN PUBLIC KEY-----\nMCow\n-----END PUBLIC KEY-----",
		"--set", "driver.loader.caBundle.existingSecret=mirror-ca"]);
	const s = podSpec(o), l = ctr(s, "osprey-driver-loader");
	const env = Object.fromEntries(l.env.map((e) => [e.name, e.value]));
	check("mirror: repos joined", env.OSPREY_DRIVER_REPOS === "https://mirror.sec.svc/drivers;http://backup.sec.svc/drivers");
	check("mirror: key flag and policy", l.args.includes("--public-key=/etc/osprey-loader/pubkey/pubkey.pem") &&
		l.args.includes("--verify=required"));
	check("mirror: CA flag", l.args.includes("--ca-file=/etc/osprey-loader/ca/ca.crt"));
	const lcm = o.find((x) => x.kind === "ConfigMap" && x.metadata.name === "t-osprey-loader");
	check("mirror: inline key in a ConfigMap", lcm && lcm.data["pubkey.pem"].includes("BEGIN PUBLIC KEY"));
	check("mirror: CA from the Secret", s.volumes.find((v) => v.name === "loader-ca")?.secret?.secretName === "mirror-ca");
}
// audit-only: a Deployment, no driver, no host access, unprivileged, webhook port in the Service.
{
	const o = render(["--set", "driver.enabled=false", "--set", "controller.kind=deployment"]);
	const s = podSpec(o), m = ctr(s, "osprey");
	check("audit-only: a Deployment", !!find(o, "Deployment") && !find(o, "DaemonSet"));
	check("audit-only: no init container", !s.initContainers);
	check("audit-only: no hostPID, no host paths", !s.hostPID && hostPaths(s).length === 0);
	check("audit-only: unprivileged, non-root", !m.securityContext.privileged && m.securityContext.runAsNonRoot === true &&
		m.securityContext.capabilities.drop[0] === "ALL" && !m.securityContext.capabilities.add);
	check("audit-only: engine.kind nodriver", /kind: nodriver/.test(config(o)));
	check("audit-only: webhook port", find(o, "Service").spec.ports.some((p) => p.port === 9765 && p.targetPort === "k8s-audit"));
	check("audit-only: refused as a DaemonSet", refuses(["--set", "driver.enabled=false"], "audit-only"));
	check("a driver refused as a Deployment", refuses(["--set", "controller.kind=deployment"], "audit-only"));
}
// metrics + serviceMonitor; customRules; collectors off; refusals.
{
	const o = render(["--set", "metrics.enabled=true", "--set", "serviceMonitor.create=true",
		"--set-string", "customRules.my_rules\\.yaml=- list: x\n  items: [a]"]);
	const sm = find(o, "ServiceMonitor");
	check("metrics: ServiceMonitor on web /metrics", sm && sm.spec.endpoints[0].port === "web" && sm.spec.endpoints[0].path === "/metrics");
	check("metrics: prometheus_metrics_enabled", /prometheus_metrics_enabled: true/.test(config(o)));
	const rules = o.find((x) => x.kind === "ConfigMap" && x.metadata.name === "t-osprey-rules");
	check("customRules: one key per file", rules.data["my_rules.yaml"]?.includes("- list: x"));
	check("serviceMonitor without metrics refused", refuses(["--set", "serviceMonitor.create=true"], "metrics.enabled"));
	check("bad driver.kind refused", refuses(["--set", "driver.kind=ebpf"], "driver.kind"));
	const c = render(["--set", "collectors.enabled=false"]);
	check("collectors off: no socket mounts", !hostPaths(podSpec(c)).some((p) => p.endsWith(".sock")));
}
console.log(`chart-checks: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
