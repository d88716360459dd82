{{/*
The pod both controllers run. With a driver: the loader init container probes the node and
writes its choice to the shared emptyDir /var/run/osprey, then osprey reads it (engine.kind is
left unset in osprey.yaml for that). Host paths are mounted read-only under /host, and only those
the driver kind needs. Without a driver (audit-only): no init container, no host access.
*/}}
{{- define "osprey.podTemplate" -}}
{{- $kind := include "osprey.driverKind" . }}
{{- $least := include "osprey.leastPrivileged" . }}
{{- $loader := and .Values.driver.enabled .Values.driver.loader.enabled }}
{{- $needsModules := or (eq $kind "kmod") (eq $kind "auto") }}
{{- $fullname := include "osprey.fullname" . }}
metadata:
  labels:
    {{- include "osprey.selectorLabels" . | nindent 4 }}
    {{- with .Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    checksum/config: {{ include (print $.Template.BasePath "/configmap.yaml") . | sha256sum }}
    {{- with .Values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "osprey.serviceAccountName" . }}
  automountServiceAccountToken: false
  {{- if ne $kind "none" }}
  hostPID: true
  {{- end }}
  {{- with .Values.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  {{- with .Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.podSecurityContext }}
  securityContext:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- if or $loader .Values.extra.initContainers }}
  initContainers:
    {{- with .Values.extra.initContainers }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
    {{- if $loader }}
    {{- $ic := .Values.driver.loader.initContainer }}
    - name: osprey-driver-loader
      image: {{ include "osprey.imageRef" (dict "root" . "image" $ic.image) }}
      imagePullPolicy: {{ $ic.image.pullPolicy }}
      args:
        {{- with $ic.args }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
        {{- if include "osprey.hasKey" .Values.driver.loader.publicKey }}
        - --public-key=/etc/osprey-loader/pubkey/{{ .Values.driver.loader.publicKey.key }}
        - --verify={{ .Values.driver.loader.verify }}
        {{- end }}
        {{- if include "osprey.hasKey" .Values.driver.loader.caBundle }}
        - --ca-file=/etc/osprey-loader/ca/{{ .Values.driver.loader.caBundle.key }}
        {{- end }}
        {{- if not .Values.driver.loader.build }}
        - --no-build
        {{- end }}
        - --choice-file=/var/run/osprey/driver
        - {{ ternary "ebpf" $kind (eq $kind "modern_ebpf") }}
      env:
        - name: HOST_ROOT
          value: /host
        {{- with .Values.driver.loader.repos }}
        - name: OSPREY_DRIVER_REPOS
          value: {{ join ";" . | quote }}
        {{- end }}
        {{- with $ic.env }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- with $ic.resources }}
      resources:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- if $ic.securityContext }}
        {{- toYaml $ic.securityContext | nindent 8 }}
        {{- else if $least }}
        {{- /* Probing eBPF loads test programs: the same capabilities as osprey. */}}
        capabilities:
          drop: [ALL]
          add: [BPF, PERFMON, SYS_RESOURCE]
        readOnlyRootFilesystem: true
        {{- else }}
        privileged: true
        readOnlyRootFilesystem: true
        {{- end }}
      volumeMounts:
        - name: osprey-run
          mountPath: /var/run/osprey
        - name: loader-cache
          mountPath: /root/.osprey
        - name: tmp
          mountPath: /tmp
        - name: host-etc
          mountPath: /host/etc
          readOnly: true
        - name: host-proc
          mountPath: /host/proc
          readOnly: true
        {{- if $needsModules }}
        - name: host-lib-modules
          mountPath: /host/lib/modules
          readOnly: true
        {{- if .Values.driver.loader.build }}
        - name: host-usr
          mountPath: /host/usr
          readOnly: true
        {{- end }}
        {{- end }}
        {{- if include "osprey.hasKey" .Values.driver.loader.publicKey }}
        - name: loader-pubkey
          mountPath: /etc/osprey-loader/pubkey
          readOnly: true
        {{- end }}
        {{- if include "osprey.hasKey" .Values.driver.loader.caBundle }}
        - name: loader-ca
          mountPath: /etc/osprey-loader/ca
          readOnly: true
        {{- end }}
    {{- end }}
  {{- end }}
  containers:
    - name: osprey
      image: {{ include "osprey.imageRef" (dict "root" . "image" .Values.image) }}
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      args:
        - -c
        - /etc/osprey/config/osprey.yaml
        {{- with .Values.extra.args }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- if .Values.tty }}
      tty: true
      {{- end }}
      env:
        {{- if ne $kind "none" }}
        - name: HOST_ROOT
          value: /host
        {{- end }}
        {{- with .Values.extra.env }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- with .Values.resources }}
      resources:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- if .Values.containerSecurityContext }}
        {{- toYaml .Values.containerSecurityContext | nindent 8 }}
        {{- else if eq $kind "none" }}
        runAsNonRoot: true
        runAsUser: 65534
        runAsGroup: 65534
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities:
          drop: [ALL]
        {{- else if $least }}
        {{- /*
        BPF and PERFMON load and attach the probe; SYS_RESOURCE raises RLIMIT_MEMLOCK where
        the kernel still charges BPF maps to it; SYS_PTRACE reads other processes' /proc
        entries (fds, cwd, exe) for the state snapshot; DAC_READ_SEARCH reads /proc files
        owned by other users.
        */}}
        capabilities:
          drop: [ALL]
          add: [BPF, PERFMON, SYS_RESOURCE, SYS_PTRACE, DAC_READ_SEARCH]
        readOnlyRootFilesystem: true
        {{- else }}
        privileged: true
        readOnlyRootFilesystem: true
        {{- end }}
      ports:
        {{- if include "osprey.webEnabled" . }}
        - name: web
          containerPort: {{ include "osprey.webPort" . }}
          protocol: TCP
        {{- end }}
        {{- if eq $kind "none" }}
        - name: k8s-audit
          containerPort: {{ .Values.auditWebhook.port }}
          protocol: TCP
        {{- end }}
      {{- if include "osprey.webEnabled" . }}
      {{- $hz := default "/healthz" (default dict .Values.osprey.webserver).k8s_healthz_endpoint }}
      livenessProbe:
        httpGet:
          path: {{ $hz }}
          port: web
        {{- toYaml .Values.healthChecks.livenessProbe | nindent 8 }}
      readinessProbe:
        httpGet:
          path: {{ $hz }}
          port: web
        {{- toYaml .Values.healthChecks.readinessProbe | nindent 8 }}
      {{- end }}
      volumeMounts:
        {{- /* A directory, not a subPath file: the kubelet updates it when the ConfigMap
        changes, and osprey's watch_config_files reloads. */}}
        - name: config
          mountPath: /etc/osprey/config
          readOnly: true
        - name: custom-rules
          mountPath: /etc/osprey/custom-rules.d
          readOnly: true
        - name: tmp
          mountPath: /tmp
        {{- if ne $kind "none" }}
        - name: osprey-run
          mountPath: /var/run/osprey
        - name: host-proc
          mountPath: /host/proc
          readOnly: true
        - name: host-etc
          mountPath: /host/etc
          readOnly: true
        {{- if .Values.collectors.enabled }}
        {{- range $rt := list "docker" "containerd" "crio" }}
        {{- $c := index $.Values.collectors $rt }}
        {{- if $c.enabled }}
        - name: {{ $rt }}-socket
          mountPath: /host{{ $c.socket }}
          readOnly: true
        {{- end }}
        {{- end }}
        {{- end }}
        {{- end }}
        {{- with .Values.mounts.volumeMounts }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
  volumes:
    - name: config
      configMap:
        name: {{ $fullname }}
    - name: custom-rules
      configMap:
        name: {{ $fullname }}-rules
    - name: tmp
      emptyDir:
        sizeLimit: 64Mi
    {{- if ne $kind "none" }}
    - name: osprey-run
      emptyDir:
        sizeLimit: 1Mi
    - name: host-proc
      hostPath:
        path: /proc
    - name: host-etc
      hostPath:
        path: /etc
    {{- if $loader }}
    - name: loader-cache
      emptyDir:
        sizeLimit: 512Mi
    {{- end }}
    {{- if and $needsModules $loader }}
    - name: host-lib-modules
      hostPath:
        path: /lib/modules
    {{- if .Values.driver.loader.build }}
    - name: host-usr
      hostPath:
        path: /usr
    {{- end }}
    {{- end }}
    {{- if .Values.collectors.enabled }}
    {{- range $rt := list "docker" "containerd" "crio" }}
    {{- $c := index $.Values.collectors $rt }}
    {{- if $c.enabled }}
    - name: {{ $rt }}-socket
      hostPath:
        path: {{ $c.socket }}
    {{- end }}
    {{- end }}
    {{- end }}
    {{- if $loader }}
    {{- include "osprey.keySourceVolume" (dict "name" "loader-pubkey" "src" .Values.driver.loader.publicKey "configMap" (printf "%s-loader" $fullname)) | nindent 4 }}
    {{- include "osprey.keySourceVolume" (dict "name" "loader-ca" "src" .Values.driver.loader.caBundle "configMap" (printf "%s-loader" $fullname)) | nindent 4 }}
    {{- end }}
    {{- end }}
    {{- with .Values.mounts.volumes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end }}
