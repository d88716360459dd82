{{/* Names, labels and the decisions every template shares. */}}

{{- define "osprey.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "osprey.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "osprey.namespace" -}}
{{- default .Release.Namespace .Values.namespaceOverride }}
{{- end }}

{{- define "osprey.selectorLabels" -}}
app.kubernetes.io/name: {{ include "osprey.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "osprey.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "osprey.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "osprey.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "osprey.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* registry/repository:tag, the tag defaulting to the chart's appVersion. */}}
{{- define "osprey.imageRef" -}}
{{- $tag := default .root.Chart.AppVersion .image.tag }}
{{- if .image.registry }}
{{- printf "%s/%s:%s" .image.registry .image.repository $tag }}
{{- else }}
{{- printf "%s:%s" .image.repository $tag }}
{{- end }}
{{- end }}

{{/* The driver this release runs: none (audit-only), auto, modern_ebpf or kmod. */}}
{{- define "osprey.driverKind" -}}
{{- if not .Values.driver.enabled }}none
{{- else if has .Values.driver.kind (list "auto" "modern_ebpf" "kmod") }}{{ .Values.driver.kind }}
{{- else }}{{ fail (printf "driver.kind must be auto, modern_ebpf or kmod, not %q" .Values.driver.kind) }}
{{- end }}
{{- end }}

{{/* "true" when the osprey container runs with capabilities, not privileged. */}}
{{- define "osprey.leastPrivileged" -}}
{{- if and (eq (include "osprey.driverKind" .) "modern_ebpf") .Values.driver.modernEbpf.leastPrivileged }}true{{ end }}
{{- end }}

{{/* The web server's port (health, metrics, versions). */}}
{{- define "osprey.webPort" -}}
{{- $ws := default dict .Values.osprey.webserver }}
{{- default 8765 $ws.listen_port }}
{{- end }}

{{- define "osprey.webEnabled" -}}
{{- $ws := default dict .Values.osprey.webserver }}
{{- if or (not (hasKey $ws "enabled")) $ws.enabled }}true{{ end }}
{{- end }}

{{/* A key read from an inline value, an existing Secret or an existing ConfigMap. */}}
{{- define "osprey.keySourceVolume" -}}
{{- $src := .src }}
{{- if $src.existingSecret }}
- name: {{ .name }}
  secret:
    secretName: {{ $src.existingSecret }}
    items: [{key: {{ $src.key | quote }}, path: {{ $src.key | quote }}}]
{{- else if $src.existingConfigMap }}
- name: {{ .name }}
  configMap:
    name: {{ $src.existingConfigMap }}
    items: [{key: {{ $src.key | quote }}, path: {{ $src.key | quote }}}]
{{- else if $src.value }}
- name: {{ .name }}
  configMap:
    name: {{ .configMap }}
    items: [{key: {{ $src.key | quote }}, path: {{ $src.key | quote }}}]
{{- end }}
{{- end }}

{{- define "osprey.hasKey" -}}
{{- if or .existingSecret .existingConfigMap .value }}true{{ end }}
{{- end }}
