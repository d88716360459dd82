/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The k8s_audit source's fields as data: KA_FIELD(id, name, type, arg, flags, description). The
 * plugins' fields are strings (Falco's plugins declare them so), FF_LIST ones have several
 * values; names and meanings are those of Falco's k8saudit and json plugins. The evt.* fields at
 * the end are those Falco gives every plugin event. Included by k8saudit.c only.
 */
KA_FIELD(AUDITID, "ka.auditid", CHARBUF, NONE, 0, "The unique id of the audit event")
KA_FIELD(STAGE, "ka.stage", CHARBUF, NONE, 0,
	 "Stage of the request (e.g. RequestReceived, ResponseComplete, etc.)")
KA_FIELD(AUTH_DECISION, "ka.auth.decision", CHARBUF, NONE, 0, "The authorization decision")
KA_FIELD(AUTH_REASON, "ka.auth.reason", CHARBUF, NONE, 0, "The authorization reason")
KA_FIELD(USER_NAME, "ka.user.name", CHARBUF, NONE, 0, "The user name performing the request")
KA_FIELD(USER_GROUPS, "ka.user.groups", CHARBUF, NONE, FF_LIST,
	 "The groups to which the user belongs")
KA_FIELD(IMPUSER_NAME, "ka.impuser.name", CHARBUF, NONE, 0, "The impersonated user name")
KA_FIELD(VERB, "ka.verb", CHARBUF, NONE, 0, "The action being performed")
KA_FIELD(URI, "ka.uri", CHARBUF, NONE, 0, "The request URI as sent from client to server")
KA_FIELD(URI_PARAM, "ka.uri.param", CHARBUF, KEY_REQ, 0,
	 "The value of a given query parameter in the uri (e.g. when uri=/foo?key=val, "
	 "ka.uri.param[key] is val).")
KA_FIELD(TARGET_NAME, "ka.target.name", CHARBUF, NONE, 0, "The target object name")
KA_FIELD(TARGET_NAMESPACE, "ka.target.namespace", CHARBUF, NONE, 0, "The target object namespace")
KA_FIELD(TARGET_RESOURCE, "ka.target.resource", CHARBUF, NONE, 0, "The target object resource")
KA_FIELD(TARGET_SUBRESOURCE, "ka.target.subresource", CHARBUF, NONE, 0,
	 "The target object subresource")
KA_FIELD(TARGET_POD_NAME, "ka.target.pod.name", CHARBUF, NONE, 0, "The target pod name")
KA_FIELD(BINDING_SUBJECTS, "ka.req.binding.subjects", CHARBUF, NONE, FF_LIST,
	 "When the request object refers to a cluster role binding, the subject (e.g. "
	 "account/users) being linked by the binding")
KA_FIELD(BINDING_USER_NAMES, "ka.req.binding.subjects.user_names", CHARBUF, NONE, FF_LIST,
	 "When the request object refers to a cluster role binding, the subject user names "
	 "being linked by the binding")
KA_FIELD(BINDING_SA_NAMES, "ka.req.binding.subjects.serviceaccount_names", CHARBUF, NONE, FF_LIST,
	 "When the request object refers to a cluster role binding, the subject service account "
	 "names being linked by the binding")
KA_FIELD(BINDING_SA_NS_NAMES, "ka.req.binding.subjects.serviceaccount_ns_names", CHARBUF, NONE,
	 FF_LIST,
	 "When the request object refers to a cluster role binding, the subject serviceaccount "
	 "namespaced names being linked by the binding, e.g. mynamespace:myserviceaccount")
KA_FIELD(BINDING_GROUP_NAMES, "ka.req.binding.subjects.group_names", CHARBUF, NONE, FF_LIST,
	 "When the request object refers to a cluster role binding, the subject group names "
	 "being linked by the binding")
KA_FIELD(BINDING_ROLE, "ka.req.binding.role", CHARBUF, NONE, 0,
	 "When the request object refers to a cluster role binding, the role being linked by "
	 "the binding")
KA_FIELD(BINDING_SUBJECT_HAS_NAME, "ka.req.binding.subject.has_name", CHARBUF, KEY_REQ, 0,
	 "Deprecated, always returns \"N/A\". Only provided for backwards compatibility")
KA_FIELD(CONFIGMAP_NAME, "ka.req.configmap.name", CHARBUF, NONE, 0,
	 "If the request object refers to a configmap, the configmap name")
KA_FIELD(CONFIGMAP_OBJ, "ka.req.configmap.obj", CHARBUF, NONE, 0,
	 "If the request object refers to a configmap, the entire configmap object")
KA_FIELD(CONTAINER_IMAGE, "ka.req.container.image", CHARBUF, NONE, 0,
	 "Deprecated by ka.req.pod.containers.image. Returns the image of the first container "
	 "only")
KA_FIELD(CONTAINER_IMAGE_REPO, "ka.req.container.image.repository", CHARBUF, NONE, 0,
	 "Deprecated by ka.req.pod.containers.image.repository. Returns the repository of the "
	 "first container only")
KA_FIELD(POD_HOST_IPC, "ka.req.pod.host_ipc", CHARBUF, NONE, 0,
	 "When the request object refers to a pod, the value of the hostIPC flag.")
KA_FIELD(POD_HOST_NETWORK, "ka.req.pod.host_network", CHARBUF, NONE, 0,
	 "When the request object refers to a pod, the value of the hostNetwork flag.")
KA_FIELD(CONTAINER_HOST_NETWORK, "ka.req.container.host_network", CHARBUF, NONE, 0,
	 "Deprecated alias for ka.req.pod.host_network")
KA_FIELD(POD_HOST_PID, "ka.req.pod.host_pid", CHARBUF, NONE, 0,
	 "When the request object refers to a pod, the value of the hostPID flag.")
KA_FIELD(CONTAINER_PRIVILEGED, "ka.req.container.privileged", CHARBUF, NONE, 0,
	 "Deprecated by ka.req.pod.containers.privileged. Returns true if any container has "
	 "privileged=true")
KA_FIELD(POD_RUN_AS_USER, "ka.req.pod.run_as_user", CHARBUF, NONE, 0,
	 "When the request object refers to a pod, the runAsUser uid specified in the security "
	 "context for the pod.")
KA_FIELD(POD_RUN_AS_GROUP, "ka.req.pod.run_as_group", CHARBUF, NONE, 0,
	 "When the request object refers to a pod, the runAsGroup gid specified in the security "
	 "context for the pod.")
KA_FIELD(ROLE_RULES, "ka.req.role.rules", CHARBUF, NONE, FF_LIST,
	 "When the request object refers to a role/cluster role, the rules associated with the "
	 "role")
KA_FIELD(ROLE_RULES_APIGROUPS, "ka.req.role.rules.apiGroups", CHARBUF, IDX_OPT, FF_LIST,
	 "When the request object refers to a role/cluster role, the api groups associated with "
	 "the role's rules")
KA_FIELD(ROLE_RULES_NONRESOURCEURLS, "ka.req.role.rules.nonResourceURLs", CHARBUF, IDX_OPT, FF_LIST,
	 "When the request object refers to a role/cluster role, the non resource urls "
	 "associated with the role's rules")
KA_FIELD(ROLE_RULES_VERBS, "ka.req.role.rules.verbs", CHARBUF, IDX_OPT, FF_LIST,
	 "When the request object refers to a role/cluster role, the verbs associated with the "
	 "role's rules")
KA_FIELD(ROLE_RULES_RESOURCES, "ka.req.role.rules.resources", CHARBUF, IDX_OPT, FF_LIST,
	 "When the request object refers to a role/cluster role, the resources associated with "
	 "the role's rules")
KA_FIELD(POD_FS_GROUP, "ka.req.pod.fs_group", CHARBUF, NONE, 0,
	 "When the request object refers to a pod, the fsGroup gid specified by the security "
	 "context.")
KA_FIELD(POD_SUPPLEMENTAL_GROUPS, "ka.req.pod.supplemental_groups", CHARBUF, NONE, FF_LIST,
	 "When the request object refers to a pod, the supplementalGroup gids specified by the "
	 "security context.")
KA_FIELD(SERVICE_TYPE, "ka.req.service.type", CHARBUF, NONE, 0,
	 "When the request object refers to a service, the service type")
KA_FIELD(SERVICE_PORTS, "ka.req.service.ports", CHARBUF, IDX_OPT, FF_LIST,
	 "When the request object refers to a service, the service's ports")
KA_FIELD(POD_VOLUMES_HOSTPATH, "ka.req.pod.volumes.hostpath", CHARBUF, IDX_OPT, FF_LIST,
	 "When the request object refers to a pod, all hostPath paths specified for all volumes")
KA_FIELD(VOLUME_HOSTPATH, "ka.req.volume.hostpath", CHARBUF, KEY_REQ, 0,
	 "Deprecated by ka.req.pod.volumes.hostpath. Return true if the provided (host) path "
	 "prefix is used by any volume")
KA_FIELD(POD_VOLUMES_FLEXVOLUME_DRIVER, "ka.req.pod.volumes.flexvolume_driver", CHARBUF, IDX_OPT,
	 FF_LIST,
	 "When the request object refers to a pod, all flexvolume drivers specified for all "
	 "volumes")
KA_FIELD(POD_VOLUMES_VOLUME_TYPE, "ka.req.pod.volumes.volume_type", CHARBUF, IDX_OPT, FF_LIST,
	 "When the request object refers to a pod, all volume types for all volumes")
KA_FIELD(RESP_NAME, "ka.resp.name", CHARBUF, NONE, 0, "The response object name")
KA_FIELD(RESPONSE_CODE, "ka.response.code", CHARBUF, NONE, 0, "The response code")
KA_FIELD(RESPONSE_REASON, "ka.response.reason", CHARBUF, NONE, 0,
	 "The response reason (usually present only for failures)")
KA_FIELD(USERAGENT, "ka.useragent", CHARBUF, NONE, 0,
	 "The useragent of the client who made the request to the apiserver")
KA_FIELD(SOURCEIPS, "ka.sourceips", CHARBUF, IDX_OPT, FF_LIST,
	 "The IP addresses of the client who made the request to the apiserver")
/* The per-container fields, for containers, initContainers and ephemeralContainers (C_FIELDS). */
#define C_FIELDS(P, p, what)                                                                       \
	KA_FIELD(P##_NAME, "ka.req.pod." p ".name", CHARBUF, IDX_OPT, FF_LIST,                     \
		 "When the request object refers to a pod, the " what " names.")                   \
	KA_FIELD(P##_IMAGE, "ka.req.pod." p ".image", CHARBUF, IDX_OPT, FF_LIST,                   \
		 "When the request object refers to a pod, the " what " images.")                  \
	KA_FIELD(P##_IMAGE_REPO, "ka.req.pod." p ".image.repository", CHARBUF, IDX_OPT, FF_LIST,   \
		 "The same as ka.req.pod." p ".image, but only the repository part (e.g. "         \
		 "falcosecurity/falco).")                                                          \
	KA_FIELD(P##_COMMAND, "ka.req.pod." p ".command", CHARBUF, IDX_OPT, FF_LIST,               \
		 "When the request object refers to a pod, the " what " commands.")                \
	KA_FIELD(P##_ARGS, "ka.req.pod." p ".args", CHARBUF, IDX_OPT, FF_LIST,                     \
		 "When the request object refers to a pod, the " what " args.")                    \
	KA_FIELD(P##_HOST_PORT, "ka.req.pod." p ".host_port", CHARBUF, IDX_OPT, FF_LIST,           \
		 "When the request object refers to a pod, all " what " hostPort values.")         \
	KA_FIELD(P##_PRIVILEGED, "ka.req.pod." p ".privileged", CHARBUF, IDX_OPT, FF_LIST,         \
		 "When the request object refers to a pod, the value of the privileged flag for "  \
		 "all " what ".")                                                                  \
	KA_FIELD(P##_ALLOW_PRIV_ESC, "ka.req.pod." p ".allow_privilege_escalation", CHARBUF,       \
		 IDX_OPT, FF_LIST,                                                                 \
		 "When the request object refers to a pod, the value of the "                      \
		 "allowPrivilegeEscalation flag for all " what ".")                                \
	KA_FIELD(P##_READ_ONLY_FS, "ka.req.pod." p ".read_only_fs", CHARBUF, IDX_OPT, FF_LIST,     \
		 "When the request object refers to a pod, the value of the "                      \
		 "readOnlyRootFilesystem flag for all " what ".")                                  \
	KA_FIELD(P##_RUN_AS_USER, "ka.req.pod." p ".run_as_user", CHARBUF, IDX_OPT, FF_LIST,       \
		 "When the request object refers to a pod, the runAsUser uid for all " what ".")   \
	KA_FIELD(P##_EFF_RUN_AS_USER, "ka.req.pod." p ".eff_run_as_user", CHARBUF, IDX_OPT,        \
		 FF_LIST,                                                                          \
		 "When the request object refers to a pod, the initial uid that will be used for " \
		 "all " what ": the container's security context, else the pod's, else 0.")        \
	KA_FIELD(P##_RUN_AS_GROUP, "ka.req.pod." p ".run_as_group", CHARBUF, IDX_OPT, FF_LIST,     \
		 "When the request object refers to a pod, the runAsGroup gid for all " what ".")  \
	KA_FIELD(P##_EFF_RUN_AS_GROUP, "ka.req.pod." p ".eff_run_as_group", CHARBUF, IDX_OPT,      \
		 FF_LIST,                                                                          \
		 "When the request object refers to a pod, the initial gid that will be used for " \
		 "all " what ": the container's security context, else the pod's, else 0.")        \
	KA_FIELD(P##_PROC_MOUNT, "ka.req.pod." p ".proc_mount", CHARBUF, IDX_OPT, FF_LIST,         \
		 "When the request object refers to a pod, the procMount types for all " what ".") \
	KA_FIELD(P##_ADD_CAPABILITIES, "ka.req.pod." p ".add_capabilities", CHARBUF, IDX_OPT,      \
		 FF_LIST,                                                                          \
		 "When the request object refers to a pod, all capabilities to add when running "  \
		 "the " what ".")
C_FIELDS(CONTAINERS, "containers", "containers")
C_FIELDS(INIT_CONTAINERS, "initContainers", "init containers")
C_FIELDS(EPHEMERAL_CONTAINERS, "ephemeralContainers", "ephemeral containers")
#undef C_FIELDS
/* json plugin */
KA_FIELD(JEVT_VALUE, "jevt.value", CHARBUF, KEY_REQ, 0,
	 "Extracts a value from the event's JSON. Syntax is jevt.value[<json pointer>] (RFC "
	 "6901), e.g. jevt.value[/user/username].")
KA_FIELD(JEVT_OBJ, "jevt.obj", CHARBUF, NONE, 0, "The full json message as a text string.")
KA_FIELD(JEVT_RAWTIME, "jevt.rawtime", CHARBUF, NONE, 0,
	 "The time of the event (stageTimestamp) in nanoseconds since the epoch.")
KA_FIELD(JEVT_TIME, "jevt.time", CHARBUF, NONE, 0,
	 "The time of the event (stageTimestamp) as a time string with nanoseconds.")
KA_FIELD(JEVT_TIME_ISO8601, "jevt.time.iso8601", CHARBUF, NONE, 0,
	 "The time of the event (stageTimestamp) in ISO 8601 format, in UTC.")
KA_FIELD(JSON_VALUE, "json.value", CHARBUF, KEY_REQ, 0, "Same as jevt.value.")
KA_FIELD(JSON_OBJ, "json.obj", CHARBUF, NONE, 0, "Same as jevt.obj.")
KA_FIELD(JSON_RAWTIME, "json.rawtime", CHARBUF, NONE, 0, "Same as jevt.rawtime.")
/* what Falco gives every plugin event */
KA_FIELD(EVT_NUM, "evt.num", UINT64, NONE, 0, "event number.")
KA_FIELD(EVT_TIME, "evt.time", CHARBUF, NONE, 0,
	 "event timestamp as a time string that includes the nanosecond part.")
KA_FIELD(EVT_TIME_ISO8601, "evt.time.iso8601", CHARBUF, NONE, 0,
	 "event timestamp in ISO 8601 format, including nanoseconds and time zone offset (in UTC).")
KA_FIELD(EVT_DATETIME, "evt.datetime", CHARBUF, NONE, 0,
	 "event timestamp as a time string that includes the date.")
KA_FIELD(EVT_RAWTIME, "evt.rawtime", ABSTIME, NONE, 0,
	 "absolute event timestamp, i.e. nanoseconds from epoch.")
KA_FIELD(EVT_SOURCE, "evt.source", CHARBUF, NONE, 0,
	 "the name of the source that produced the event (k8s_audit).")
