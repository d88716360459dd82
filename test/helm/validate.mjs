// SPDX-License-Identifier: Apache-2.0
// Validates every object of a rendered chart (multi-document YAML on stdin) against the
// Kubernetes API: the schemas (types, required fields, enums) through kubernetes-models'
// validators, and unknown fields (a typo'd key is silently dropped by the API server, so it is
// an error here) through the field lists of @kubernetes/client-node's generated models.
// Run from the tools directory scripts/install-k8s-tools.sh made (its node_modules).
// Prints one line per object, "invalid: ..." lines for problems; exits 1 on any.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import * as k8s from "@kubernetes/client-node";

const validators = {
	"v1/ConfigMap": ["kubernetes-models/v1", "ConfigMap", "V1ConfigMap"],
	"v1/Secret": ["kubernetes-models/v1", "Secret", "V1Secret"],
	"v1/Service": ["kubernetes-models/v1", "Service", "V1Service"],
	"v1/ServiceAccount": ["kubernetes-models/v1", "ServiceAccount", "V1ServiceAccount"],
	"v1/Pod": ["kubernetes-models/v1", "Pod", "V1Pod"],
	"apps/v1/DaemonSet": ["kubernetes-models/apps/v1", "DaemonSet", "V1DaemonSet"],
	"apps/v1/Deployment": ["kubernetes-models/apps/v1", "Deployment", "V1Deployment"],
	"monitoring.coreos.com/v1/ServiceMonitor": [
		"@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1", "ServiceMonitor", null],
};

// Walks obj along the model named type; pushes "path: unknown field" problems.
function unknownFields(obj, type, path, out) {
	if (obj === null || obj === undefined)
		return;
	let m = /^Array<(.+)>$/.exec(type);
	if (m) {
		if (Array.isArray(obj))
			obj.forEach((v, i) => unknownFields(v, m[1], `${path}[${i}]`, out));
		return;
	}
	m = /^\{ \[key: string\]: (.+); \}$/.exec(type);
	if (m) {
		for (const [k, v] of Object.entries(obj))
			unknownFields(v, m[1], `${path}.${k}`, out);
		return;
	}
	const model = k8s[type];
	if (!model || !model.attributeTypeMap || typeof obj !== "object")
		return; // a primitive, IntOrString, Quantity or free-form object
	const attrs = new Map(model.attributeTypeMap.map((a) => [a.baseName, a.type]));
	for (const [k, v] of Object.entries(obj)) {
		if (!attrs.has(k))
			out.push(`${path}.${k}: unknown field (not in ${type})`);
		else
			unknownFields(v, attrs.get(k), `${path}.${k}`, out);
	}
}

const docs = parseAllDocuments(readFileSync(0, "utf8"));
let bad = 0, n = 0;
for (const d of docs) {
	if (d.errors.length) {
		console.log(`invalid: YAML: ${d.errors[0].message}`);
		bad++;
		continue;
	}
	const obj = d.toJS();
	if (!obj)
		continue;
	n++;
	const id = `${obj.kind}/${obj.metadata?.name}`;
	const v = validators[`${obj.apiVersion}/${obj.kind}`];
	if (!v) {
		console.log(`invalid: ${id}: no schema for ${obj.apiVersion} ${obj.kind}`);
		bad++;
		continue;
	}
	const mod = await import(v[0]);
	const problems = [];
	try {
		new mod[v[1]](obj).validate();
	} catch (e) {
		problems.push(e.message);
	}
	if (v[2])
		unknownFields(obj, v[2], obj.kind, problems);
	if (problems.length) {
		bad++;
		for (const p of problems)
			console.log(`invalid: ${id}: ${p}`);
	} else {
		console.log(`valid: ${obj.apiVersion} ${id}`);
	}
}
if (n === 0) {
	console.log("invalid: no object rendered");
	bad++;
}
process.exit(bad ? 1 : 0);
