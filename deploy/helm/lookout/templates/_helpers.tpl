{{/* Chart name, truncated to the 63 characters a label allows. */}}
{{- define "lookout.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-qualified name; components append "-proxy", "-slo-engine", ... (kept under 63). */}}
{{- define "lookout.fullname" -}}
{{- if contains .Chart.Name .Release.Name }}
{{- .Release.Name | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "lookout.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every object; call with (dict "root" $ "component" "proxy"). */}}
{{- define "lookout.labels" -}}
helm.sh/chart: {{ include "lookout.chart" .root }}
{{ include "lookout.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: lookout
{{- end }}

{{/* Selector labels of one component; call with (dict "root" $ "component" "proxy"). */}}
{{- define "lookout.selectorLabels" -}}
app.kubernetes.io/name: {{ include "lookout.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Image reference; call with (dict "root" $ "image" .Values.proxy.image). */}}
{{- define "lookout.image" -}}
{{- $repository := .image.repository }}
{{- if .root.Values.imageRegistry }}{{ $repository = printf "%s/%s" .root.Values.imageRegistry $repository }}{{ end }}
{{- printf "%s:%s" $repository (.image.tag | default .root.Chart.AppVersion) }}
{{- end }}

{{- define "lookout.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- .Values.serviceAccount.name | default (include "lookout.fullname" .) }}
{{- else }}
{{- .Values.serviceAccount.name | default "default" }}
{{- end }}
{{- end }}

{{/* The echo upstream's in-cluster URL (a proxy upstream origin). */}}
{{- define "lookout.echoUpstream.url" -}}
{{- printf "http://%s-echo-upstream:%d" (include "lookout.fullname" .) (int .Values.echoUpstream.port) }}
{{- end }}

{{/* Name of the Secret with the Elasticsearch credentials (keys username, password), or "" for none. */}}
{{- define "lookout.elasticsearch.secretName" -}}
{{- if .Values.elasticsearch.existingSecret }}
{{- .Values.elasticsearch.existingSecret }}
{{- else if .Values.elasticsearch.username }}
{{- printf "%s-elasticsearch" (include "lookout.fullname" .) }}
{{- end }}
{{- end }}

{{/* Environment variables carrying the Elasticsearch credentials; call with (dict "root" $ "username" "NAME" "password" "NAME"). */}}
{{- define "lookout.elasticsearch.env" -}}
{{- $secret := include "lookout.elasticsearch.secretName" .root }}
{{- if $secret }}
- name: {{ .username }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: username
- name: {{ .password }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: password
{{- end }}
{{- end }}

{{/* The proxy config file: values' proxy.config with the chart's listen and Elasticsearch node, templates rendered. */}}
{{- define "lookout.proxy.config" -}}
{{- $config := deepCopy .Values.proxy.config }}
{{- $listen := dict "host" "0.0.0.0" "port" (int .Values.proxy.port) }}
{{- with .Values.proxy.tls }}{{ if .secretName }}
{{- $_ := set $listen "tls" (dict "certFile" "/etc/lookout-tls/tls.crt" "keyFile" "/etc/lookout-tls/tls.key" "minVersion" .minVersion "watchInterval" .watchInterval) }}
{{- end }}{{ end }}
{{- $_ := set $config "listen" $listen }}
{{- $telemetry := $config.telemetry | default dict }}
{{- if eq ($telemetry.sink | default "embedded") "elasticsearch" }}
{{- $es := $telemetry.elasticsearch | default dict }}
{{- if not $es.node }}{{ $_ := set $es "node" .Values.elasticsearch.url }}{{ end }}
{{- $_ := set $telemetry "elasticsearch" $es }}
{{- $_ := set $config "telemetry" $telemetry }}
{{- end }}
{{- tpl (toYaml $config) . }}
{{- end }}

{{/* The slo-engine config file. */}}
{{- define "lookout.sloEngine.config" -}}
{{- $es := dict "type" "elasticsearch" "node" .Values.elasticsearch.url }}
{{- if include "lookout.elasticsearch.secretName" . }}
{{- $_ := set $es "usernameEnv" "ELASTICSEARCH_USERNAME" }}
{{- $_ := set $es "passwordEnv" "ELASTICSEARCH_PASSWORD" }}
{{- end }}
{{- $config := deepCopy .Values.sloEngine.config }}
{{- $_ := set $config "listen" (dict "host" "0.0.0.0" "port" (int .Values.sloEngine.port)) }}
{{- $_ := set $config "slos" "slos.yaml" }}
{{- $_ := set $config "events" (merge (dict "index" .Values.sloEngine.eventsIndex) $es) }}
{{- $_ := set $config "state" (merge (dict "prefix" .Values.sloEngine.statePrefix) (deepCopy $es)) }}
{{- /* webhooks, email and delivery are top-level keys of the engine config */}}
{{- range $key, $value := .Values.sloEngine.notifiers }}{{ $_ := set $config $key $value }}{{ end }}
{{- toYaml $config }}
{{- end }}

{{/* Pod anti-affinity spreading one component over nodes; call with (dict "root" $ "component" "proxy" "mode" "soft"). */}}
{{- define "lookout.podAntiAffinity" -}}
podAntiAffinity:
{{- if eq .mode "hard" }}
  requiredDuringSchedulingIgnoredDuringExecution:
    - topologyKey: kubernetes.io/hostname
      labelSelector:
        matchLabels:
          {{- include "lookout.selectorLabels" . | nindent 10 }}
{{- else }}
  preferredDuringSchedulingIgnoredDuringExecution:
    - weight: 100
      podAffinityTerm:
        topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            {{- include "lookout.selectorLabels" . | nindent 12 }}
{{- end }}
{{- end }}
