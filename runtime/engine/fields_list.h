/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The field registry as data: FIELD(id, name, type, arg, flags, description), grouped by class in
 * the order `--list` prints them. Included by fields.h (the enum of ids) and fields.c (the table).
 * Types are enum field_type without the FT_ prefix; arg is enum field_arg without FA_; flags are
 * FF_* bits. Names and meanings follow Falco's, so rules written for Falco keep their meaning.
 */
/* evt: all events */
FIELD(EVT_NUM, "evt.num", UINT64, NONE, 0, "event number.")
FIELD(EVT_TIME, "evt.time", CHARBUF, NONE, 0,
	"event timestamp as a time string that includes the nanosecond part.")
FIELD(EVT_TIME_S, "evt.time.s", CHARBUF, NONE, 0,
	"event timestamp as a time string with no nanoseconds.")
FIELD(EVT_TIME_ISO8601, "evt.time.iso8601", CHARBUF, NONE, 0,
	"event timestamp in ISO 8601 format, including nanoseconds and time zone offset (in UTC).")
FIELD(EVT_DATETIME, "evt.datetime", CHARBUF, NONE, 0,
	"event timestamp as a time string that includes the date.")
FIELD(EVT_DATETIME_S, "evt.datetime.s", CHARBUF, NONE, 0,
	"event timestamp as a datetime string with no nanoseconds.")
FIELD(EVT_RAWTIME, "evt.rawtime", ABSTIME, NONE, 0,
	"absolute event timestamp, i.e. nanoseconds from epoch.")
FIELD(EVT_RAWTIME_S, "evt.rawtime.s", ABSTIME, NONE, 0,
	"integer part of the event timestamp (e.g. seconds since epoch).")
FIELD(EVT_RAWTIME_NS, "evt.rawtime.ns", ABSTIME, NONE, 0,
	"fractional part of the absolute event timestamp.")
FIELD(EVT_RELTIME, "evt.reltime", RELTIME, NONE, 0,
	"number of nanoseconds from the beginning of the capture.")
FIELD(EVT_RELTIME_S, "evt.reltime.s", RELTIME, NONE, 0,
	"number of seconds from the beginning of the capture.")
FIELD(EVT_RELTIME_NS, "evt.reltime.ns", RELTIME, NONE, 0,
	"fractional part (in ns) of the time from the beginning of the capture.")
FIELD(EVT_DELTATIME, "evt.deltatime", RELTIME, NONE, 0,
	"delta between this event and the previous event, in nanoseconds.")
FIELD(EVT_DELTATIME_S, "evt.deltatime.s", RELTIME, NONE, 0,
	"integer part of the delta between this event and the previous event.")
FIELD(EVT_DELTATIME_NS, "evt.deltatime.ns", RELTIME, NONE, 0,
	"fractional part of the delta between this event and the previous event.")
FIELD(EVT_LATENCY, "evt.latency", RELTIME, NONE, 0,
	"delta between a syscall's enter and exit, in nanoseconds.")
FIELD(EVT_OUTPUTTIME, "evt.outputtime", ABSTIME, NONE, 0,
	"timestamp of the alert output, nanoseconds from epoch.")
FIELD(EVT_DIR, "evt.dir", CHARBUF, NONE, 0,
	"event direction: '>' for enter events, '<' for exit events (Osprey emits exit events "
	"only).")
FIELD(EVT_TYPE, "evt.type", CHARBUF, NONE, 0, "the name of the event (e.g. 'open', 'execve').")
FIELD(EVT_TYPE_IS, "evt.type.is", BOOL, KEY_REQ, 0,
	"true if the event is of the type given as argument, e.g. evt.type.is[open].")
FIELD(SYSCALL_TYPE, "syscall.type", CHARBUF, NONE, 0,
	"for system call events, the name of the system call; empty for other events.")
FIELD(EVT_CATEGORY, "evt.category", CHARBUF, NONE, 0,
	"the event category: file, net, process, memory, security, signal, ...")
FIELD(EVT_CPU, "evt.cpu", INT64, NONE, 0, "number of the CPU where this event happened.")
FIELD(EVT_ARGS, "evt.args", CHARBUF, NONE, 0,
	"all the event arguments, aggregated into a single string.")
FIELD(EVT_ARG, "evt.arg", DYNAMIC, NAME_OR_IDX_REQ, 0,
	"one of the event arguments by name or number, rendered as a string: evt.arg.fd or "
	"evt.arg[0].")
FIELD(EVT_RAWARG, "evt.rawarg", DYNAMIC, NAME_OR_IDX_REQ, 0,
	"one of the event arguments by name, with its raw (numeric) value: evt.rawarg.res.")
FIELD(EVT_INFO, "evt.info", CHARBUF, NONE, 0,
	"all the event arguments, or a summary for events that have one.")
FIELD(EVT_BUFFER, "evt.buffer", BYTEBUF, NONE, 0,
	"the binary data buffer of an event that has one (read, write, send, recv...).")
FIELD(EVT_BUFLEN, "evt.buflen", UINT64, NONE, 0,
	"the length of the binary data buffer of the event.")
FIELD(EVT_RES, "evt.res", CHARBUF, NONE, 0,
	"event return value, as a string: SUCCESS or the error code name (e.g. ENOENT).")
FIELD(EVT_RAWRES, "evt.rawres", INT64, NONE, 0, "event return value, as a number (e.g. -2).")
FIELD(EVT_FAILED, "evt.failed", BOOL, NONE, 0, "true for events that returned an error status.")
FIELD(EVT_IS_IO, "evt.is_io", BOOL, NONE, 0,
	"true for events that read or write to FDs (read, send, recvfrom, ...).")
FIELD(EVT_IS_IO_READ, "evt.is_io_read", BOOL, NONE, 0, "true for events that read from FDs.")
FIELD(EVT_IS_IO_WRITE, "evt.is_io_write", BOOL, NONE, 0, "true for events that write to FDs.")
FIELD(EVT_IO_DIR, "evt.io_dir", CHARBUF, NONE, 0,
	"'r' for events that read from FDs, 'w' for events that write to FDs.")
FIELD(EVT_IS_WAIT, "evt.is_wait", BOOL, NONE, 0,
	"true for events that make the thread wait (sleep, select, poll).")
FIELD(EVT_IS_SYSLOG, "evt.is_syslog", BOOL, NONE, 0, "true for events that are writes to /dev/log.")
FIELD(EVT_ABSPATH, "evt.abspath", CHARBUF, NONE, 0,
	"absolute path computed from dirfd and name during syscalls like renameat and symlinkat.")
FIELD(EVT_ABSPATH_SRC, "evt.abspath.src", CHARBUF, NONE, 0,
	"source of the absolute path (e.g. the old name of renameat).")
FIELD(EVT_ABSPATH_DST, "evt.abspath.dst", CHARBUF, NONE, 0,
	"destination of the absolute path (e.g. the new name of renameat).")
FIELD(EVT_IS_OPEN_READ, "evt.is_open_read", BOOL, NONE, 0,
	"true for open/openat/openat2/open_by_handle_at events where the path was opened for "
	"reading.")
FIELD(EVT_IS_OPEN_WRITE, "evt.is_open_write", BOOL, NONE, 0,
	"true for open/openat/openat2/open_by_handle_at events where the path was opened for "
	"writing.")
FIELD(EVT_IS_OPEN_EXEC, "evt.is_open_exec", BOOL, NONE, 0,
	"true for open/openat/openat2/open_by_handle_at or creat events where a file is created "
	"with execute permissions.")
FIELD(EVT_IS_OPEN_CREATE, "evt.is_open_create", BOOL, NONE, 0,
	"true for open/openat/openat2/open_by_handle_at events where a file is created.")
FIELD(EVT_HOSTNAME, "evt.hostname", CHARBUF, NONE, 0,
	"the hostname of the machine that generated the event.")
FIELD(EVT_SOURCE, "evt.source", CHARBUF, NONE, 0,
	"the name of the source that produced the event (syscall).")
FIELD(EVT_PLUGINNAME, "evt.pluginname", CHARBUF, NONE, 0,
	"the name of the plugin that generated the event (empty: Osprey has no plugins).")
FIELD(EVT_IS_ASYNC, "evt.is_async", BOOL, NONE, 0,
	"true for asynchronous events (not produced by a thread's system call).")
/* process */
FIELD(PROC_EXE, "proc.exe", CHARBUF, NONE, 0,
	"the first command-line argument (argv[0]), usually the executable name or a custom one.")
FIELD(PROC_PEXE, "proc.pexe", CHARBUF, NONE, 0,
	"the proc.exe (first command-line argument) of the parent process.")
FIELD(PROC_AEXE, "proc.aexe", CHARBUF, IDX_OPT, 0,
	"the proc.exe of an ancestor: proc.aexe[1] is the parent, [2] the grandparent; no index: "
	"any ancestor.")
FIELD(PROC_EXEPATH, "proc.exepath", CHARBUF, NONE, 0,
	"the full executable path of the process (the resolved /proc/PID/exe).")
FIELD(PROC_PEXEPATH, "proc.pexepath", CHARBUF, NONE, 0, "the proc.exepath of the parent process.")
FIELD(PROC_AEXEPATH, "proc.aexepath", CHARBUF, IDX_OPT, 0,
	"the proc.exepath of an ancestor: proc.aexepath[1] is the parent; no index: any ancestor.")
FIELD(PROC_NAME, "proc.name", CHARBUF, NONE, 0,
	"the name (task->comm, up to 16 characters) of the process generating the event.")
FIELD(PROC_PNAME, "proc.pname", CHARBUF, NONE, 0,
	"the proc.name of the parent of the process generating the event.")
FIELD(PROC_ANAME, "proc.aname", CHARBUF, IDX_OPT, 0,
	"the proc.name of an ancestor: proc.aname[1] is the parent, [0] the process itself; no "
	"index: any ancestor.")
FIELD(PROC_ARGS, "proc.args", CHARBUF, NONE, 0,
	"the arguments passed on the command line when starting the process, separated by spaces.")
FIELD(PROC_CMDLINE, "proc.cmdline", CHARBUF, NONE, 0,
	"full process command line, i.e. proc.name + proc.args.")
FIELD(PROC_PCMDLINE, "proc.pcmdline", CHARBUF, NONE, 0,
	"the proc.cmdline of the parent of the process generating the event.")
FIELD(PROC_ACMDLINE, "proc.acmdline", CHARBUF, IDX_OPT, 0,
	"the proc.cmdline of an ancestor: proc.acmdline[1] is the parent; no index: any ancestor.")
FIELD(PROC_CMDNARGS, "proc.cmdnargs", UINT64, NONE, 0,
	"the number of command line args (proc.args).")
FIELD(PROC_CMDLENARGS, "proc.cmdlenargs", UINT64, NONE, 0,
	"the total count of characters of the command line args (proc.args), without spaces.")
FIELD(PROC_EXELINE, "proc.exeline", CHARBUF, NONE, 0,
	"full process command line, with exe as first argument, i.e. proc.exe + proc.args.")
FIELD(PROC_ENV, "proc.env", CHARBUF, KEY_OPT, 0,
	"the environment variables of the process, or the value of one: proc.env[HOME].")
FIELD(PROC_AENV, "proc.aenv", CHARBUF, KEY_OPT, 0,
	"the value of an environment variable of the process or, if absent, of its nearest "
	"ancestor that has it.")
FIELD(PROC_CWD, "proc.cwd", CHARBUF, NONE, 0, "the current working directory of the event.")
FIELD(PROC_LOGINSHELLID, "proc.loginshellid", INT64, NONE, 0,
	"the pid of the oldest shell among the ancestors of the current process, if there is one.")
FIELD(PROC_TTY, "proc.tty", UINT32, NONE, 0,
	"the controlling terminal of the process; 0 for processes without a terminal.")
FIELD(PROC_PID, "proc.pid", INT64, NONE, 0, "the id of the process generating the event.")
FIELD(PROC_PPID, "proc.ppid", INT64, NONE, 0,
	"the pid of the parent of the process generating the event.")
FIELD(PROC_APID, "proc.apid", INT64, IDX_OPT, 0,
	"the pid of an ancestor: proc.apid[1] is the parent; no index: any ancestor.")
FIELD(PROC_VPID, "proc.vpid", INT64, NONE, 0,
	"the id of the process generating the event as seen from its current PID namespace.")
FIELD(PROC_PVPID, "proc.pvpid", INT64, NONE, 0,
	"the id of the parent process as seen from its current PID namespace.")
FIELD(PROC_SID, "proc.sid", INT64, NONE, 0, "the session id of the process generating the event.")
FIELD(PROC_SNAME, "proc.sname", CHARBUF, NONE, 0,
	"the name of the current process's session leader.")
FIELD(PROC_SID_EXE, "proc.sid.exe", CHARBUF, NONE, 0,
	"the first command line argument of the current process's session leader.")
FIELD(PROC_SID_EXEPATH, "proc.sid.exepath", CHARBUF, NONE, 0,
	"the full executable path of the current process's session leader.")
FIELD(PROC_VPGID, "proc.vpgid", INT64, NONE, 0,
	"the process group id of the process, as seen from its current PID namespace.")
FIELD(PROC_VPGID_NAME, "proc.vpgid.name", CHARBUF, NONE, 0,
	"the name of the current process's process group leader.")
FIELD(PROC_VPGID_EXE, "proc.vpgid.exe", CHARBUF, NONE, 0,
	"the first command line argument of the current process's group leader.")
FIELD(PROC_VPGID_EXEPATH, "proc.vpgid.exepath", CHARBUF, NONE, 0,
	"the full executable path of the current process's group leader.")
FIELD(PROC_DURATION, "proc.duration", RELTIME, NONE, 0,
	"number of nanoseconds since the process started.")
FIELD(PROC_PPID_DURATION, "proc.ppid.duration", RELTIME, NONE, 0,
	"number of nanoseconds since the parent process started.")
FIELD(PROC_PID_TS, "proc.pid.ts", ABSTIME, NONE, 0,
	"start of the process as epoch timestamp in nanoseconds.")
FIELD(PROC_PPID_TS, "proc.ppid.ts", ABSTIME, NONE, 0,
	"start of the parent process as epoch timestamp in nanoseconds.")
FIELD(PROC_IS_EXE_WRITABLE, "proc.is_exe_writable", BOOL, NONE, 0,
	"true if this process' executable file is writable by the same user that spawned the "
	"process.")
FIELD(PROC_IS_EXE_UPPER_LAYER, "proc.is_exe_upper_layer", BOOL, NONE, 0,
	"true if this process' executable file is in the upper layer of an overlayfs (e.g. "
	"created in the container).")
FIELD(PROC_IS_EXE_FROM_MEMFD, "proc.is_exe_from_memfd", BOOL, NONE, 0,
	"true if the executable file of the current process is an anonymous file created using "
	"memfd_create().")
FIELD(PROC_IS_SID_LEADER, "proc.is_sid_leader", BOOL, NONE, 0,
	"true if this process is the leader of the process session.")
FIELD(PROC_IS_VPGID_LEADER, "proc.is_vpgid_leader", BOOL, NONE, 0,
	"true if this process is the leader of the virtual process group.")
FIELD(PROC_EXE_INO, "proc.exe_ino", INT64, NONE, 0,
	"the inode number of the executable file on disk.")
FIELD(PROC_EXE_INO_CTIME, "proc.exe_ino.ctime", ABSTIME, NONE, 0,
	"last status change time of the executable file (inode->ctime), epoch nanoseconds.")
FIELD(PROC_EXE_INO_MTIME, "proc.exe_ino.mtime", ABSTIME, NONE, 0,
	"last modification time of the executable file (inode->mtime), epoch nanoseconds.")
FIELD(PROC_EXE_INO_CTIME_DURATION_PROC_START, "proc.exe_ino.ctime_duration_proc_start", RELTIME, NONE, 0,
	"nanoseconds between the executable's inode ctime and the process start (small: exe "
	"changed just before running).")
FIELD(PROC_EXE_INO_CTIME_DURATION_PIDNS_START, "proc.exe_ino.ctime_duration_pidns_start", RELTIME, NONE, 0,
	"nanoseconds between the PID namespace start and the executable's inode ctime.")
FIELD(PROC_PIDNS_INIT_START_TS, "proc.pidns_init_start_ts", ABSTIME, NONE, 0,
	"start time of the PID namespace's init process, epoch nanoseconds.")
FIELD(PROC_FDOPENCOUNT, "proc.fdopencount", UINT64, NONE, 0, "number of open FDs for the process.")
FIELD(PROC_FDLIMIT, "proc.fdlimit", INT64, NONE, 0, "maximum number of FDs the process can open.")
FIELD(PROC_VMSIZE, "proc.vmsize", UINT64, NONE, 0, "total virtual memory for the process (as kb).")
FIELD(PROC_VMRSS, "proc.vmrss", UINT64, NONE, 0,
	"resident non-swapped memory for the process (as kb).")
FIELD(PROC_VMSWAP, "proc.vmswap", UINT64, NONE, 0, "swapped memory for the process (as kb).")
FIELD(PROC_NTHREADS, "proc.nthreads", UINT64, NONE, 0,
	"the number of alive threads that the process generating the event currently has.")
FIELD(PROC_NCHILDS, "proc.nchilds", UINT64, NONE, 0,
	"the number of alive not leader threads that the process currently has.")
FIELD(PROC_IS_CONTAINER_HEALTHCHECK, "proc.is_container_healthcheck", BOOL, NONE, 0,
	"true if this process is running as a part of the container's health check.")
FIELD(PROC_STDIN_TYPE, "proc.stdin.type", CHARBUF, NONE, 0,
	"the type of file descriptor 0, e.g. file, pipe.")
FIELD(PROC_STDOUT_TYPE, "proc.stdout.type", CHARBUF, NONE, 0,
	"the type of file descriptor 1, e.g. file, pipe.")
FIELD(PROC_STDERR_TYPE, "proc.stderr.type", CHARBUF, NONE, 0,
	"the type of file descriptor 2, e.g. file, pipe.")
FIELD(PROC_STDIN_NAME, "proc.stdin.name", CHARBUF, NONE, 0,
	"the name of file descriptor 0, e.g. /dev/null.")
FIELD(PROC_STDOUT_NAME, "proc.stdout.name", CHARBUF, NONE, 0,
	"the name of file descriptor 1, e.g. /dev/null.")
FIELD(PROC_STDERR_NAME, "proc.stderr.name", CHARBUF, NONE, 0,
	"the name of file descriptor 2, e.g. /dev/null.")
FIELD(THREAD_TID, "thread.tid", INT64, NONE, 0, "the id of the thread generating the event.")
FIELD(THREAD_VTID, "thread.vtid", INT64, NONE, 0,
	"the id of the thread generating the event as seen from its current PID namespace.")
FIELD(THREAD_ISMAIN, "thread.ismain", BOOL, NONE, 0,
	"true if the thread generating the event is the main one in the process.")
FIELD(THREAD_EXECTIME, "thread.exectime", RELTIME, NONE, 0,
	"CPU time spent by the last scheduled thread, in nanoseconds.")
FIELD(THREAD_TOTEXECTIME, "thread.totexectime", RELTIME, NONE, 0,
	"total CPU time, in nanoseconds since the beginning of the capture, for the current "
	"thread.")
FIELD(THREAD_CGROUPS, "thread.cgroups", CHARBUF, NONE, 0,
	"all the cgroups the thread belongs to, aggregated into a single string.")
FIELD(THREAD_CGROUP, "thread.cgroup", CHARBUF, KEY_REQ, 0,
	"the cgroup the thread belongs to, for a specific subsystem, e.g. thread.cgroup[cpuacct].")
FIELD(THREAD_NAMETID, "thread.nametid", CHARBUF, NONE, 0,
	"this field chains the process name and tid of a thread: <procname>-<tid>.")
FIELD(THREAD_CAP_PERMITTED, "thread.cap_permitted", CHARBUF, NONE, 0,
	"the permitted capabilities set, as names (CAP_SYS_ADMIN ...).")
FIELD(THREAD_CAP_INHERITABLE, "thread.cap_inheritable", CHARBUF, NONE, 0,
	"the inheritable capabilities set, as names.")
FIELD(THREAD_CAP_EFFECTIVE, "thread.cap_effective", CHARBUF, NONE, 0,
	"the effective capabilities set, as names.")
/* user */
FIELD(USER_UID, "user.uid", UINT32, NONE, 0, "user ID.")
FIELD(USER_NAME, "user.name", CHARBUF, NONE, 0, "user name.")
FIELD(USER_HOMEDIR, "user.homedir", CHARBUF, NONE, 0, "home directory of the user.")
FIELD(USER_SHELL, "user.shell", CHARBUF, NONE, 0, "user's shell.")
FIELD(USER_LOGINUID, "user.loginuid", INT64, NONE, 0,
	"audit user id (auid); -1 when unset (e.g. processes not started from a login).")
FIELD(USER_LOGINNAME, "user.loginname", CHARBUF, NONE, 0, "audit user name (auid).")
/* group */
FIELD(GROUP_GID, "group.gid", UINT32, NONE, 0, "group ID.")
FIELD(GROUP_NAME, "group.name", CHARBUF, NONE, 0, "group name.")
/* container */
FIELD(CONTAINER_ID, "container.id", CHARBUF, NONE, 0,
	"the truncated container ID (first 12 characters); 'host' for host processes.")
FIELD(CONTAINER_FULL_ID, "container.full_id", CHARBUF, NONE, 0,
	"the full container ID, e.g. "
	"3ad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de441c3601e.")
FIELD(CONTAINER_NAME, "container.name", CHARBUF, NONE, 0, "the container name.")
FIELD(CONTAINER_IMAGE, "container.image", CHARBUF, NONE, 0,
	"the container image name (e.g. falcosecurity/falco:latest for docker).")
FIELD(CONTAINER_IMAGE_ID, "container.image.id", CHARBUF, NONE, 0,
	"the container image id (e.g. 6f7e2741b66b).")
FIELD(CONTAINER_TYPE, "container.type", CHARBUF, NONE, 0,
	"the container type, e.g. docker, cri-o, containerd.")
FIELD(CONTAINER_PRIVILEGED, "container.privileged", BOOL, NONE, 0,
	"true for containers running as privileged, false otherwise.")
FIELD(CONTAINER_MOUNTS, "container.mounts", CHARBUF, NONE, 0,
	"a space-separated list of mount information: source:dest:mode:rdrw:propagation.")
FIELD(CONTAINER_MOUNT, "container.mount", CHARBUF, KEY_REQ, 0,
	"information about a single mount, by number (container.mount[0]) or destination pattern "
	"(container.mount[/usr/local/bin]).")
FIELD(CONTAINER_MOUNT_SOURCE, "container.mount.source", CHARBUF, KEY_REQ, 0,
	"the mount source, by number or destination pattern.")
FIELD(CONTAINER_MOUNT_DEST, "container.mount.dest", CHARBUF, KEY_REQ, 0,
	"the mount destination, by number or source pattern.")
FIELD(CONTAINER_MOUNT_MODE, "container.mount.mode", CHARBUF, KEY_REQ, 0,
	"the mount mode, by number or source pattern.")
FIELD(CONTAINER_MOUNT_RDWR, "container.mount.rdwr", CHARBUF, KEY_REQ, 0,
	"the mount rdwr value, by number or source pattern.")
FIELD(CONTAINER_MOUNT_PROPAGATION, "container.mount.propagation", CHARBUF, KEY_REQ, 0,
	"the mount propagation value, by number or source pattern.")
FIELD(CONTAINER_IMAGE_REPOSITORY, "container.image.repository", CHARBUF, NONE, 0,
	"the container image repository (e.g. falcosecurity/falco).")
FIELD(CONTAINER_IMAGE_TAG, "container.image.tag", CHARBUF, NONE, 0,
	"the container image tag (e.g. stable, latest).")
FIELD(CONTAINER_IMAGE_DIGEST, "container.image.digest", CHARBUF, NONE, 0,
	"the container image registry digest (e.g. sha256:d977378f...).")
FIELD(CONTAINER_HEALTHCHECK, "container.healthcheck", CHARBUF, NONE, 0,
	"the container's health check; NONE if no health check configured.")
FIELD(CONTAINER_START_TS, "container.start_ts", ABSTIME, NONE, 0,
	"container start as epoch timestamp in nanoseconds.")
FIELD(CONTAINER_DURATION, "container.duration", RELTIME, NONE, 0,
	"number of nanoseconds since the container start.")
FIELD(CONTAINER_IP, "container.ip", CHARBUF, NONE, 0, "the container's / pod's primary ip address.")
FIELD(CONTAINER_CNI_JSON, "container.cni.json", CHARBUF, NONE, 0,
	"the container's / pod's CNI result field from the network status, as JSON.")
FIELD(CONTAINER_HOST_PID, "container.host_pid", BOOL, NONE, 0,
	"true if the container is running in the host PID namespace.")
FIELD(CONTAINER_HOST_NETWORK, "container.host_network", BOOL, NONE, 0,
	"true if the container is running in the host network namespace.")
FIELD(CONTAINER_HOST_IPC, "container.host_ipc", BOOL, NONE, 0,
	"true if the container is running in the host IPC namespace.")
FIELD(CONTAINER_LABEL, "container.label", CHARBUF, KEY_REQ, 0,
	"the container label: container.label[foo].")
FIELD(CONTAINER_LABELS, "container.labels", CHARBUF, NONE, 0,
	"the container comma-separated key/value labels, e.g. (foo1:bar1,foo2:bar2).")
/* fd */
FIELD(FD_NUM, "fd.num", INT64, NONE, 0, "the unique number identifying the file descriptor.")
FIELD(FD_TYPE, "fd.type", CHARBUF, NONE, 0,
	"type of FD: 'file', 'directory', 'ipv4', 'ipv6', 'unix', 'pipe', 'event', 'signalfd', "
	"'eventpoll', 'inotify', 'signalfd' or 'memfd'.")
FIELD(FD_TYPECHAR, "fd.typechar", CHARBUF, NONE, 0,
	"type of FD as a single character: 'f' file, 4 IPv4 socket, 6 IPv6 socket, 'u' unix "
	"socket, 'p' pipe, ...")
FIELD(FD_NAME, "fd.name", CHARBUF, NONE, 0,
	"FD full name: the full path for files, the connection tuple for sockets.")
FIELD(FD_DIRECTORY, "fd.directory", CHARBUF, NONE, 0,
	"if the fd is a file, the directory that contains it.")
FIELD(FD_FILENAME, "fd.filename", CHARBUF, NONE, 0,
	"if the fd is a file, the filename without the path.")
FIELD(FD_IP, "fd.ip", IPADDR, NONE, 0, "matches the ip address (client or server) of the fd.")
FIELD(FD_CIP, "fd.cip", IPADDR, NONE, 0, "client IP address.")
FIELD(FD_SIP, "fd.sip", IPADDR, NONE, 0, "server IP address.")
FIELD(FD_LIP, "fd.lip", IPADDR, NONE, 0, "local IP address.")
FIELD(FD_RIP, "fd.rip", IPADDR, NONE, 0, "remote IP address.")
FIELD(FD_PORT, "fd.port", PORT, NONE, 0, "matches the port (either client or server) of the fd.")
FIELD(FD_CPORT, "fd.cport", PORT, NONE, 0, "for TCP/UDP FDs, the client port.")
FIELD(FD_SPORT, "fd.sport", PORT, NONE, 0, "for TCP/UDP FDs, server port.")
FIELD(FD_LPORT, "fd.lport", PORT, NONE, 0, "for TCP/UDP FDs, the local port.")
FIELD(FD_RPORT, "fd.rport", PORT, NONE, 0, "for TCP/UDP FDs, the remote port.")
FIELD(FD_L4PROTO, "fd.l4proto", CHARBUF, NONE, 0,
	"the IP protocol of a socket: 'tcp', 'udp', 'icmp' or 'raw'.")
FIELD(FD_SOCKFAMILY, "fd.sockfamily", CHARBUF, NONE, 0,
	"the socket family for socket events: 'ip' or 'unix'.")
FIELD(FD_IS_SERVER, "fd.is_server", BOOL, NONE, 0,
	"true if the process owning this FD is the server endpoint in the connection.")
FIELD(FD_UID, "fd.uid", CHARBUF, NONE, 0,
	"a unique identifier for the FD, created by chaining the FD number and the thread ID.")
FIELD(FD_CONTAINERNAME, "fd.containername", CHARBUF, NONE, 0,
	"chaining of the container ID and the FD name.")
FIELD(FD_CONTAINERDIRECTORY, "fd.containerdirectory", CHARBUF, NONE, 0,
	"chaining of the container ID and the directory name.")
FIELD(FD_PROTO, "fd.proto", PORT, NONE, 0,
	"matches the protocol (either client or server) of the fd.")
FIELD(FD_CPROTO, "fd.cproto", CHARBUF, NONE, 0,
	"for TCP/UDP FDs, the client protocol: the client port, as a string (Falco without port "
	"name resolution).")
FIELD(FD_SPROTO, "fd.sproto", CHARBUF, NONE, 0,
	"for TCP/UDP FDs, the server protocol: the server port, as a string.")
FIELD(FD_LPROTO, "fd.lproto", CHARBUF, NONE, 0,
	"for TCP/UDP FDs, the local protocol: the local port, as a string.")
FIELD(FD_RPROTO, "fd.rproto", CHARBUF, NONE, 0,
	"for TCP/UDP FDs, the remote protocol: the remote port, as a string.")
FIELD(FD_NET, "fd.net", IPNET, NONE, 0, "matches the IP network (client or server) of the fd.")
FIELD(FD_CNET, "fd.cnet", IPNET, NONE, 0, "matches the client IP network of the fd.")
FIELD(FD_SNET, "fd.snet", IPNET, NONE, 0, "matches the server IP network of the fd.")
FIELD(FD_LNET, "fd.lnet", IPNET, NONE, 0, "matches the local IP network of the fd.")
FIELD(FD_RNET, "fd.rnet", IPNET, NONE, 0, "matches the remote IP network of the fd.")
FIELD(FD_CONNECTED, "fd.connected", BOOL, NONE, 0,
	"for TCP/UDP FDs, true if the socket is connected.")
FIELD(FD_NAME_CHANGED, "fd.name_changed", BOOL, NONE, 0,
	"true when an event changes the name of an fd used by this event (e.g. with connect).")
FIELD(FD_CIP_NAME, "fd.cip.name", CHARBUF, NONE, 0,
	"domain name associated with the client IP address.")
FIELD(FD_SIP_NAME, "fd.sip.name", CHARBUF, NONE, 0,
	"domain name associated with the server IP address.")
FIELD(FD_LIP_NAME, "fd.lip.name", CHARBUF, NONE, 0,
	"domain name associated with the local IP address.")
FIELD(FD_RIP_NAME, "fd.rip.name", CHARBUF, NONE, 0,
	"domain name associated with the remote IP address.")
FIELD(FD_DEV, "fd.dev", UINT32, NONE, 0,
	"device number (major/minor) containing the referenced file.")
FIELD(FD_DEV_MAJOR, "fd.dev.major", UINT32, NONE, 0,
	"major device number containing the referenced file.")
FIELD(FD_DEV_MINOR, "fd.dev.minor", UINT32, NONE, 0,
	"minor device number containing the referenced file.")
FIELD(FD_INO, "fd.ino", INT64, NONE, 0, "inode number of the referenced file.")
FIELD(FD_NAMERAW, "fd.nameraw", CHARBUF, NONE, 0,
	"FD full name raw: like fd.name, but for a file opened by the event the path as the process "
	"passed it, neither made absolute nor normalized (only repeated slashes folded).")
FIELD(FD_TYPES, "fd.types", CHARBUF, IDX_OPT, FF_LIST,
	"list of FD types in use by the process: fd.types[0] for the type of fd 0 alone, no index: "
	"the distinct types of all its fds.")
/* fdlist */
FIELD(FDLIST_NUMS, "fdlist.nums", INT64, NONE, FF_LIST,
	"for poll events, the FD numbers in the fds argument.")
FIELD(FDLIST_NAMES, "fdlist.names", CHARBUF, NONE, FF_LIST,
	"for poll events, the FD names in the fds argument.")
/* fs.path */
FIELD(FS_PATH_NAME, "fs.path.name", CHARBUF, NONE, 0,
	"for any event type that deals with a filesystem path, the path the file syscall is "
	"operating on (resolved).")
FIELD(FS_PATH_NAMERAW, "fs.path.nameraw", CHARBUF, NONE, 0,
	"for any event type that deals with a filesystem path, the path, unresolved.")
FIELD(FS_PATH_SOURCE, "fs.path.source", CHARBUF, NONE, 0,
	"for events with a source and target path (mv, cp, ...), the source path (resolved).")
FIELD(FS_PATH_SOURCERAW, "fs.path.sourceraw", CHARBUF, NONE, 0,
	"for events with a source and target path, the source path, unresolved.")
FIELD(FS_PATH_TARGET, "fs.path.target", CHARBUF, NONE, 0,
	"for events with a source and target path, the target path (resolved).")
FIELD(FS_PATH_TARGETRAW, "fs.path.targetraw", CHARBUF, NONE, 0,
	"for events with a source and target path, the target path, unresolved.")
/* k8s */
FIELD(K8S_POD_NAME, "k8s.pod.name", CHARBUF, NONE, 0, "the Kubernetes pod name.")
FIELD(K8S_POD_ID, "k8s.pod.id", CHARBUF, NONE, 0,
	"the Kubernetes pod UID (legacy name of k8s.pod.uid).")
FIELD(K8S_POD_UID, "k8s.pod.uid", CHARBUF, NONE, 0,
	"the Kubernetes pod UID, e.g. 3e41dc6b-08a8-44db-bc2a-3724b18ab19a.")
FIELD(K8S_POD_SANDBOX_ID, "k8s.pod.sandbox_id", CHARBUF, NONE, 0,
	"the truncated Kubernetes pod sandbox ID (first 12 characters).")
FIELD(K8S_POD_FULL_SANDBOX_ID, "k8s.pod.full_sandbox_id", CHARBUF, NONE, 0,
	"the full Kubernetes pod / sandbox ID.")
FIELD(K8S_POD_LABEL, "k8s.pod.label", CHARBUF, KEY_REQ, 0,
	"the Kubernetes pod label: k8s.pod.label[foo].")
FIELD(K8S_POD_LABELS, "k8s.pod.labels", CHARBUF, NONE, 0,
	"the Kubernetes pod comma-separated key/value labels, e.g. (foo1:bar1,foo2:bar2).")
FIELD(K8S_POD_IP, "k8s.pod.ip", CHARBUF, NONE, 0, "the Kubernetes pod ip, same as container.ip.")
FIELD(K8S_POD_CNI_JSON, "k8s.pod.cni.json", CHARBUF, NONE, 0,
	"the Kubernetes pod CNI result field from the network status, same as container.cni.json.")
FIELD(K8S_NS_NAME, "k8s.ns.name", CHARBUF, NONE, 0, "the Kubernetes namespace name.")
