#!/usr/bin/env bash
# The local Storefleet stack: two PostgreSQL servers, PgBouncer, nginx, `storefleet serve` and the
# job runner, for one PROFILE (`run` for `make run`, `test` for `make test`).
#
#   scripts/stack.sh up      PROFILE   start whatever is not running yet (safe to repeat)
#   scripts/stack.sh down    PROFILE   stop everything `up` started (safe to repeat)
#   scripts/stack.sh status  PROFILE   what is running
#   scripts/stack.sh destroy PROFILE   down, then delete the profile's data
#   scripts/stack.sh pgbouncer-sync PROFILE   list server 2's databases in PgBouncer 1 too
#
# The executable comes from STOREFLEET_BIN (the Makefile sets it). Optional: STOREFLEET_WORKERS
# (serve's worker count, default 2), STOREFLEET_TENANT_POOL (direct|pgbouncer, see PgBouncer).
# When serve is already running, `up` reloads it (SIGHUP) so a rebuilt binary and edited
# templates take effect; serve and jobs are restarted instead when stack.env changed since they
# started (a reload keeps the old environment). Ports, folders and the keys of .data/PROFILE/stack.env are fixed in
# docs/CONTRACTS.md. Layout of .data/PROFILE/:
#
#   stack.env        what tests and tools read (mode 0600: it holds database passwords)
#   secrets.env      the generated role passwords and metrics token (0600, created once)
#   master.key       the master key, `kid:base64(32 bytes)` (0600, created once)
#   postgres/        owned by the postgres user: server1/ server2/ (data), sockets/, pgbouncer1/ 2/,
#                    logs/. If the postgres user cannot reach the checkout (e.g. it sits in a
#                    mode-0700 home), this is a symlink to /var/lib/storefleet/<hash>/PROFILE.
#   nginx/           the rendered nginx config, its pid file and temp files
#   logs/            nginx, storefleet serve, storefleet jobs (and links to the PostgreSQL logs)
#   run/             pid files of serve, jobs and the SMTP catcher
#   mail/            mail the SMTP catcher caught: index.jsonl and <id>.eml (scripts/smtp-catcher.py)
#   media/ acme/     store media (served at /media/), ACME challenges (/.well-known/acme-challenge/)
#   storefleet.sock  the FastCGI socket
set -euo pipefail
# Pass no inherited descriptor on to the daemons started below: run as `flock LOCK stack.sh up`,
# fd 3 (or another) holds the caller's lock, and a daemon keeping it would hold that lock forever.
for fd_path in /proc/$$/fd/*; do
    fd_number=${fd_path##*/}
    if ((fd_number > 2)); then eval "exec $fd_number>&-" 2>/dev/null || true; fi
done

usage() {
    echo "usage: $0 up|down|status|destroy|pgbouncer-sync run|test" >&2
    exit 64
}
(($# == 2)) || usage
command=$1
profile=$2

case $profile in
    run)  http_port=8080  pg1_port=25432 pg2_port=25433 bouncer_port=26432 smtp_port=2525 ;;
    test) http_port=18080 pg1_port=35432 pg2_port=35433 bouncer_port=36432 smtp_port=12525 ;;
    *) usage ;;
esac
# STOREFLEET_PORT_OFFSET moves every port of a profile, so a second checkout (a CI try, a fresh
# machine chroot sharing this host's network) can run its stack beside one already running here.
if [[ -n ${STOREFLEET_PORT_OFFSET:-} ]]; then
    off=$STOREFLEET_PORT_OFFSET
    http_port=$((http_port + off)) pg1_port=$((pg1_port + off)) pg2_port=$((pg2_port + off))
    bouncer_port=$((bouncer_port + off)) smtp_port=$((smtp_port + off))
fi

# The test profile's job runner fails the first set-up of wizard stores named it-failonce-* once,
# after the grants step, so a test through nginx can see the failure and the retry (StoreSetupJob).
fail_first_provision=
if [[ $profile == test ]]; then fail_first_provision=it-failonce-:grants; fi

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
data=$repo/.data/$profile
pghome_link=$data/postgres
# PostgreSQL's folder by its real path: the postgres user may not be able to follow the link.
pghome=$(readlink -f "$pghome_link" || echo "$pghome_link")
logs=$data/logs
run=$data/run
mail_dir=$data/mail
socket=$data/storefleet.sock
platform_domain=storefleet.localhost
pg_bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
workers=${STOREFLEET_WORKERS:-2}
tenant_pool=${STOREFLEET_TENANT_POOL:-direct}
bin=${STOREFLEET_BIN:-}

say() { echo "stack($profile): $*" >&2; }
die() { say "error: $*"; exit 1; }

# Polls `command...` every 0.1 s until it succeeds or `seconds` pass. Never a fixed sleep.
wait_for() {
    local seconds=$1 what=$2
    shift 2
    local deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || die "$what not ready after ${seconds}s"
        sleep 0.1
    done
}

# From /: the postgres user may not be allowed into the checkout we are standing in.
as_postgres() { (cd / && runuser -u postgres -- "$@"); }

# The pid in FILE, if that process is alive and its command line contains EXPECTED (so a pid
# reused by an unrelated process is never signalled).
live_pid() {
    local file=$1 expected=$2 pid
    [[ -s $file ]] || return 1
    pid=$(<"$file")
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$expected" || return 1
    echo "$pid"
}

# Sends SIGNAL to the process in FILE and waits (polling) until it is gone.
stop_pid() {
    local file=$1 expected=$2 signal=$3 seconds=$4 what=$5 pid
    if pid=$(live_pid "$file" "$expected"); then
        say "stopping $what (pid $pid)"
        kill "-$signal" "$pid" 2>/dev/null || true
        local deadline=$((SECONDS + seconds))
        while kill -0 "$pid" 2>/dev/null; do
            if ((SECONDS >= deadline)); then
                say "$what did not stop within ${seconds}s; sending SIGKILL"
                kill -KILL "$pid" 2>/dev/null || true
            fi
            sleep 0.1
        done
    fi
    rm -f "$file"
}

# ---------------------------------------------------------------------------------------------
# Folders, secrets, keys

# PostgreSQL refuses to run as root, so its files belong to the postgres user, who must be able
# to reach them: inside the checkout when it can, else under /var/lib/storefleet/.
prepare_folders() {
    mkdir -p "$data"
    chmod 0755 "$repo/.data" "$data"
    mkdir -p "$logs" "$run" "$data/media" "$data/acme" "$data/nginx/tmp"
    if [[ ! -e $pghome_link && ! -L $pghome_link ]]; then
        if runuser -u postgres -- test -x "$data"; then
            mkdir -p "$pghome_link"
        else
            local outside
            outside=/var/lib/storefleet/$(printf '%s' "$repo" | sha256sum | cut -c1-16)/$profile
            say "the postgres user cannot enter $data; keeping PostgreSQL's files in $outside"
            mkdir -p "$outside"
            chown postgres:postgres "$(dirname "$outside")"
            ln -s "$outside" "$pghome_link"
        fi
    fi
    pghome=$(readlink -f "$pghome_link")
    [[ -d $pghome ]] || die "$pghome_link is a dangling link; run: $0 destroy $profile"
    chown postgres:postgres "$pghome"
    chmod 0750 "$pghome"
    as_postgres mkdir -p "$pghome/sockets" "$pghome/pgbouncer1" "$pghome/pgbouncer2" "$pghome/logs"
    ln -sfn "$pghome/logs/server1.log" "$logs/postgres-server1.log"
    ln -sfn "$pghome/logs/server2.log" "$logs/postgres-server2.log"
    ln -sfn "$pghome/logs/pgbouncer1.log" "$logs/pgbouncer1.log"
    ln -sfn "$pghome/logs/pgbouncer2.log" "$logs/pgbouncer2.log"
}

# Random role passwords and the metrics token, made once per profile. Hex, so they sit in URLs
# and SQL literals without escaping.
load_secrets() {
    local file=$data/secrets.env
    if [[ ! -s $file ]]; then
        (
            umask 077
            {
                echo "OWNER_PASSWORD=$(openssl rand -hex 24)"
                echo "APP_PASSWORD=$(openssl rand -hex 24)"
                echo "ADMIN_PASSWORD=$(openssl rand -hex 24)"
                echo "METRICS_TOKEN=$(openssl rand -hex 24)"
            } >"$file.new"
            mv "$file.new" "$file"
        )
    fi
    chmod 0600 "$file"
    # shellcheck disable=SC1090
    . "$file"
}

# The master key (docs/CONTRACTS.md, Crypto): one line `kid:base64(32 random bytes)`. Made once;
# replacing it would make every sealed secret in the profile unreadable.
ensure_master_key() {
    local file=$data/master.key
    if [[ ! -s $file ]]; then
        (
            umask 077
            printf 'k1:%s\n' "$(openssl rand -base64 32)" >"$file.new"
            mv "$file.new" "$file"
        )
        say "created $file"
    fi
    chmod 0600 "$file"
}

write_stack_env() {
    local file=$data/stack.env
    (
        umask 077
        cat >"$file.new" <<EOF
# Written by scripts/stack.sh up $profile; keys in docs/CONTRACTS.md. Holds passwords: mode 0600.
STOREFLEET_PLATFORM_DOMAIN=$platform_domain
STOREFLEET_HTTP_PORT=$http_port
STOREFLEET_BASE_URL=http://127.0.0.1:$http_port
STOREFLEET_SOCKET=$socket
STOREFLEET_REGISTRY_URL=postgresql://storefleet_app:$APP_PASSWORD@127.0.0.1:$pg1_port/storefleet_registry
STOREFLEET_REGISTRY_OWNER_URL=postgresql://storefleet_owner:$OWNER_PASSWORD@127.0.0.1:$pg1_port/storefleet_registry
STOREFLEET_SERVER1_ADMIN_URL=postgresql://storefleet_admin:$ADMIN_PASSWORD@127.0.0.1:$pg1_port/postgres
STOREFLEET_SERVER2_ADMIN_URL=postgresql://storefleet_admin:$ADMIN_PASSWORD@127.0.0.1:$pg2_port/postgres
STOREFLEET_PGBOUNCER_PORT=$bouncer_port
STOREFLEET_MASTER_KEY_FILE=$data/master.key
STOREFLEET_METRICS_TOKEN=$METRICS_TOKEN
STOREFLEET_DATA_DIR=$data
STOREFLEET_BIN=$bin
STOREFLEET_SMTP_URL=smtp://127.0.0.1:$smtp_port
STOREFLEET_MAIL_DIR=$mail_dir
STOREFLEET_DEV_MAIL=1
STOREFLEET_FAIL_FIRST_PROVISION=$fail_first_provision
EOF
        localstripe_env >>"$file.new"
        mv "$file.new" "$file"
    )
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL: two servers, one data folder each

server_dir() { echo "$pghome/server$1"; }
server_port() { if [[ $1 == 1 ]]; then echo "$pg1_port"; else echo "$pg2_port"; fi; }

psql_super() { # psql_super SERVER DB  (SQL on stdin; as the postgres superuser, unix socket)
    as_postgres "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$pghome/sockets" -p "$(server_port "$1")" -d "$2" "${@:3}"
}

init_server() {
    local n=$1 dir port
    dir=$(server_dir "$n")
    port=$(server_port "$n")
    if [[ ! -s $dir/PG_VERSION ]]; then
        say "initdb server $n ($dir)"
        as_postgres "$pg_bin/initdb" -D "$dir" -U postgres -E UTF8 --locale=C.UTF-8 \
            --auth-local=trust --auth-host=scram-sha-256 >"$pghome/logs/initdb-server$n.log" 2>&1 ||
            die "initdb failed; see $pghome/logs/initdb-server$n.log"
    fi
    # Rewritten on every `up`, so edits here reach existing clusters.
    as_postgres tee "$dir/storefleet.conf" >/dev/null <<EOF
# Written by scripts/stack.sh; included from postgresql.conf.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$pghome/sockets'
# Many tenants x workers: 2 workers x 256 cached tenant connections (STOREFLEET_TENANT_CONNECTIONS)
# plus the registry, jobs, migrations and admin work. PgBouncer endpoints keep the real number lower.
max_connections = 700
shared_buffers = 128MB
fsync = on
synchronous_commit = on
full_page_writes = on
password_encryption = scram-sha-256
log_line_prefix = '%m [%p] %q%u@%d '
EOF
    as_postgres tee "$dir/pg_hba.conf" >/dev/null <<'EOF'
# Written by scripts/stack.sh. The superuser only through the local socket (no password, reachable
# only by root and postgres); everyone else with a SCRAM password.
# TYPE  DATABASE  USER      ADDRESS        METHOD
local   all       postgres                 trust
local   all       all                      scram-sha-256
host    all       all       127.0.0.1/32   scram-sha-256
EOF
    grep -q "^include_if_exists = 'storefleet.conf'" "$dir/postgresql.conf" ||
        echo "include_if_exists = 'storefleet.conf'" | as_postgres tee -a "$dir/postgresql.conf" >/dev/null
}

start_server() {
    local n=$1 dir port
    dir=$(server_dir "$n")
    port=$(server_port "$n")
    if as_postgres "$pg_bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
        as_postgres "$pg_bin/pg_ctl" -D "$dir" reload >/dev/null
    else
        say "starting PostgreSQL server $n on 127.0.0.1:$port"
        # Long deadlines: after a crash, recovery replays WAL first.
        as_postgres "$pg_bin/pg_ctl" -D "$dir" -l "$pghome/logs/server$n.log" -w -t 300 start \
            >/dev/null 9>&- || die "server $n did not start; see $logs/postgres-server$n.log"
    fi
    wait_for 300 "PostgreSQL server $n" "$pg_bin/pg_isready" -q -h "$pghome/sockets" -p "$port"
}

stop_server() {
    local n=$1 dir
    dir=$(server_dir "$n")
    [[ -s $dir/PG_VERSION ]] || return 0
    if as_postgres "$pg_bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
        say "stopping PostgreSQL server $n"
        # The shutdown checkpoint syncs every file written since the last one: with thousands of
        # tenant databases and fsync on, that can take minutes.
        as_postgres "$pg_bin/pg_ctl" -D "$dir" -m fast -w -t 900 stop >/dev/null ||
            die "PostgreSQL server $n is still shutting down; see $logs/postgres-server$n.log"
    fi
}

# Roles and the registry database. Passwords go through stdin, never the command line.
create_roles() {
    psql_super 1 postgres <<EOF
SET client_min_messages = warning;
SELECT 'CREATE ROLE storefleet_owner' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'storefleet_owner')\gexec
SELECT 'CREATE ROLE storefleet_app' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'storefleet_app')\gexec
SELECT 'CREATE ROLE storefleet_admin' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'storefleet_admin')\gexec
ALTER ROLE storefleet_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '$OWNER_PASSWORD';
ALTER ROLE storefleet_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '$APP_PASSWORD';
ALTER ROLE storefleet_admin LOGIN NOSUPERUSER CREATEDB CREATEROLE PASSWORD '$ADMIN_PASSWORD';
-- DROP DATABASE ... WITH (FORCE) ends the tenant roles' sessions (workers' cached connections).
GRANT pg_signal_backend TO storefleet_admin;
SELECT 'CREATE DATABASE storefleet_registry OWNER storefleet_owner' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'storefleet_registry')\gexec
REVOKE ALL ON DATABASE storefleet_registry FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE storefleet_registry TO storefleet_app;
GRANT CONNECT ON DATABASE storefleet_registry TO storefleet_admin;
-- A store's role reaches its own database and nothing else: not even the maintenance databases.
REVOKE CONNECT ON DATABASE postgres, template1 FROM PUBLIC;
GRANT CONNECT ON DATABASE postgres TO storefleet_admin;
EOF
    psql_super 2 postgres <<EOF
SET client_min_messages = warning;
SELECT 'CREATE ROLE storefleet_admin' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'storefleet_admin')\gexec
ALTER ROLE storefleet_admin LOGIN NOSUPERUSER CREATEDB CREATEROLE PASSWORD '$ADMIN_PASSWORD';
GRANT pg_signal_backend TO storefleet_admin;
REVOKE CONNECT ON DATABASE postgres, template1 FROM PUBLIC;
GRANT CONNECT ON DATABASE postgres TO storefleet_admin;
EOF
}

# ---------------------------------------------------------------------------------------------
# PgBouncer: transaction pooling, one pool per database and role.
#
# Authentication uses auth_query: PgBouncer looks a role's SCRAM secret up in pg_shadow (as the
# postgres superuser, over PostgreSQL's unix socket), so the tenant roles provisioning creates log
# in with no file to edit. Routing: a PgBouncer `*` fallback names one server, so each server gets
# its own PgBouncer (DESIGN.md: "PgBouncer in front of each") and any new database works at once:
#   pgbouncer1  127.0.0.1:STOREFLEET_PGBOUNCER_PORT  -> server 1 (`*`), plus explicit entries for
#               server 2's databases (`stack.sh pgbouncer-sync`, run by `up`), so this one port
#               reaches both servers' databases that existed at the last sync
#   pgbouncer2  unix socket only, in postgres/pgbouncer2/ (same port number) -> server 2 (`*`)
#
# Whether the app reaches tenant databases through these poolers is STOREFLEET_TENANT_POOL at
# `up` time: `direct` (the default) registers each server's own port as its tenant endpoint,
# `pgbouncer` registers its PgBouncer. Not PgBouncer by default, because PgBouncer 1.18 (Debian
# 12) has no auth_dbname: its auth_query runs in each tenant database as the postgres superuser
# and keeps that session open, and a superuser's session is one storefleet_admin cannot end, so
# DROP DATABASE ... WITH (FORCE) (deprovisioning) and a store ending its own sessions fail while
# PgBouncer holds one. Use `pgbouncer` for connection-count experiments (Benchmarks/tenancy).

bouncer_dir() { echo "$pghome/pgbouncer$1"; }

write_bouncer_config() {
    local n=$1 dir port listen
    dir=$(bouncer_dir "$n")
    port=$(server_port "$n")
    as_postgres mkdir -p "$dir"
    if [[ $n == 1 ]]; then
        listen=$'listen_addr = 127.0.0.1\nunix_socket_dir ='
    else
        listen=$'listen_addr =\nunix_socket_dir = '"$dir"
    fi
    as_postgres tee "$dir/pgbouncer.ini" >/dev/null <<INI
; Written by scripts/stack.sh: PgBouncer in front of server $n.
[databases]
* = host=$pghome/sockets port=$port

[pgbouncer]
$listen
listen_port = $bouncer_port
pidfile = $dir/pgbouncer.pid
logfile = $pghome/logs/pgbouncer$n.log
auth_type = scram-sha-256
auth_file = $dir/userlist.txt
auth_user = postgres
auth_query = SELECT usename, passwd FROM pg_catalog.pg_shadow WHERE usename = \$1
pool_mode = transaction
max_client_conn = 4000
default_pool_size = 5
max_db_connections = 20
; Idle server connections close soon: PgBouncer's auth_query session in a tenant database is the
; superuser's, which storefleet_admin's DROP DATABASE ... WITH (FORCE) cannot end.
server_idle_timeout = 10
ignore_startup_parameters = extra_float_digits,options
log_connections = 0
log_disconnections = 0
INI
    [[ -f $dir/userlist.txt ]] || as_postgres touch "$dir/userlist.txt"
    if [[ $n == 1 ]]; then
        [[ -f $dir/databases-server2.ini ]] || echo "[databases]" | as_postgres tee "$dir/databases-server2.ini" >/dev/null
        echo "%include $dir/databases-server2.ini" | as_postgres tee -a "$dir/pgbouncer.ini" >/dev/null
    fi
}

# Lists server 2's databases into pgbouncer1's config and reloads it (SIGHUP).
pgbouncer_sync() {
    local dir names name pid
    dir=$(bouncer_dir 1)
    names=$(psql_super 2 postgres -At -c \
        "SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres' AND datname ~ '^[A-Za-z0-9_]+\$' ORDER BY 1")
    {
        echo "; Written by scripts/stack.sh pgbouncer-sync: databases on server 2."
        echo "[databases]"
        for name in $names; do
            echo "$name = host=$pghome/sockets port=$pg2_port dbname=$name"
        done
    } | as_postgres tee "$dir/databases-server2.ini.new" >/dev/null
    as_postgres mv "$dir/databases-server2.ini.new" "$dir/databases-server2.ini"
    if pid=$(live_pid "$dir/pgbouncer.pid" pgbouncer); then
        kill -HUP "$pid"
    fi
}

# Where each server's PgBouncer listens, as a libpq host.
bouncer_host() { if [[ $1 == 1 ]]; then echo 127.0.0.1; else bouncer_dir 2; fi; }

# Listening yet? (pg_isready would log in, and PgBouncer answers an unknown database slowly.)
bouncer_listening() {
    if [[ $1 == 1 ]]; then
        (exec 3<>"/dev/tcp/127.0.0.1/$bouncer_port") 2>/dev/null
    else
        [[ -S $(bouncer_dir 2)/.s.PGSQL.$bouncer_port ]]
    fi
}

start_bouncer() {
    local n=$1 dir pid
    dir=$(bouncer_dir "$n")
    write_bouncer_config "$n"
    if [[ $n == 1 ]]; then pgbouncer_sync; fi
    if pid=$(live_pid "$dir/pgbouncer.pid" pgbouncer); then
        kill -HUP "$pid"
    else
        say "starting PgBouncer for server $n on $(bouncer_host "$n"):$bouncer_port"
        as_postgres pgbouncer -d -q "$dir/pgbouncer.ini" 9>&- ||
            die "PgBouncer $n did not start; see $logs/pgbouncer$n.log"
    fi
    wait_for 30 "PgBouncer $n" bouncer_listening "$n"
}

stop_bouncer() {
    # SIGINT: PgBouncer's safe shutdown (waits for transactions in flight).
    stop_pid "$(bouncer_dir "$1")/pgbouncer.pid" pgbouncer INT 30 "PgBouncer $1"
}

# ---------------------------------------------------------------------------------------------
# nginx, rendered from nginx/ for this profile

nginx_dir=$data/nginx

render_nginx() {
    export SF_USER SF_GROUP SF_NGINX_DIR SF_LOG_DIR SF_LISTEN SF_LISTEN_DEFAULT SF_PLATFORM_DOMAIN
    export SF_SOCKET SF_PUBLIC_DIR SF_TEMPLATES_DIR SF_MEDIA_DIR SF_ACME_DIR
    SF_USER=$(id -un)
    SF_GROUP=$(id -gn)
    SF_NGINX_DIR=$nginx_dir
    SF_LOG_DIR=$logs
    SF_PLATFORM_DOMAIN=$platform_domain
    SF_SOCKET=$socket
    SF_PUBLIC_DIR=$repo/public
    SF_TEMPLATES_DIR=$repo/templates
    SF_MEDIA_DIR=$data/media
    SF_ACME_DIR=$data/acme
    SF_LISTEN="listen 127.0.0.1:$http_port;"
    SF_LISTEN_DEFAULT="listen 127.0.0.1:$http_port default_server reuseport backlog=4096;"
    # Browsers resolve *.localhost to ::1 as well; listen there too when loopback has IPv6.
    if grep -q ' lo$' /proc/net/if_inet6 2>/dev/null; then
        SF_LISTEN+=" listen [::1]:$http_port;"
        SF_LISTEN_DEFAULT+=" listen [::1]:$http_port default_server reuseport backlog=4096;"
    fi
    local vars='${SF_USER} ${SF_GROUP} ${SF_NGINX_DIR} ${SF_LOG_DIR} ${SF_LISTEN} ${SF_LISTEN_DEFAULT}
        ${SF_PLATFORM_DOMAIN} ${SF_SOCKET} ${SF_PUBLIC_DIR} ${SF_TEMPLATES_DIR} ${SF_MEDIA_DIR} ${SF_ACME_DIR}'
    mkdir -p "$nginx_dir/snippets" "$nginx_dir/errors"
    local file
    for file in "$repo"/nginx/*.conf "$repo"/nginx/snippets/*.conf; do
        envsubst "$vars" <"$file" >"$nginx_dir/${file#"$repo/nginx/"}"
    done
    cp "$repo"/nginx/errors/*.html "$nginx_dir/errors/"
}

nginx_cmd() { nginx -p "$nginx_dir/" -c "$nginx_dir/nginx.conf" -e "$logs/nginx-error.log" "$@"; }

start_nginx() {
    render_nginx
    nginx_cmd -t -q || die "nginx rejected its config ($nginx_dir/nginx.conf)"
    if live_pid "$nginx_dir/nginx.pid" nginx >/dev/null; then
        nginx_cmd -s reload
    else
        say "starting nginx on 127.0.0.1:$http_port"
        nginx_cmd 9>&- || die "nginx did not start; see $logs/nginx-error.log"
    fi
    wait_for 30 "nginx" curl -s -m 2 -o /dev/null "http://127.0.0.1:$http_port/assets/"
}

stop_nginx() {
    # SIGQUIT: graceful; workers finish the requests they are serving.
    stop_pid "$nginx_dir/nginx.pid" nginx QUIT 30 nginx
}

# ---------------------------------------------------------------------------------------------
# The SMTP catcher (scripts/smtp-catcher.py, in the project venv): every mail the jobs runner
# sends ends up as a file in mail/, which /dev/mail and the tests read.

smtp_listening() { (exec 3<>"/dev/tcp/127.0.0.1/$smtp_port") 2>/dev/null; }

start_smtp() {
    local pidfile=$run/smtp-catcher.pid python
    mkdir -p "$mail_dir"
    live_pid "$pidfile" smtp-catcher.py >/dev/null && return 0
    # Creates .venv on first use, and reinstalls when python-requirements.txt changed.
    python=$("$repo/scripts/venv.sh" 9>&-) || die "scripts/venv.sh failed (the project's Python venv)"
    say "starting the SMTP catcher on 127.0.0.1:$smtp_port (mail in $mail_dir)"
    (cd "$repo" && exec setsid "$python" scripts/smtp-catcher.py --host 127.0.0.1 --port "$smtp_port" \
        --dir "$mail_dir" </dev/null >>"$logs/smtp-catcher.log" 2>&1 9>&-) &
    echo $! >"$pidfile"
    local deadline=$((SECONDS + 30))
    until smtp_listening; do
        kill -0 "$(<"$pidfile")" 2>/dev/null || {
            tail -n 5 "$logs/smtp-catcher.log" >&2
            die "the SMTP catcher exited (port $smtp_port taken?); see $logs/smtp-catcher.log"
        }
        ((SECONDS < deadline)) || die "the SMTP catcher did not listen within 30s; see $logs/smtp-catcher.log"
        sleep 0.1
    done
}

stop_smtp() {
    stop_pid "$run/smtp-catcher.pid" smtp-catcher.py TERM 10 "the SMTP catcher"
}

# ---------------------------------------------------------------------------------------------
# localstripe, the Stripe stand-in (scripts/localstripe_connect.py in the project venv, which adds
# the Connect endpoints localstripe lacks). Port 8420 (run) / 18420 (test), moved by
# STOREFLEET_PORT_OFFSET; state in localstripe/state.pickle; its signed webhooks go to nginx's
# /webhooks/stripe on the platform host. Keys (made once, in stripe.env): sk_test_/pk_test_ keys
# (localstripe accepts any) and the webhook signing secret, which the app seals into the registry.

if [[ $profile == run ]]; then localstripe_port=8420; else localstripe_port=18420; fi
localstripe_port=$((localstripe_port + ${STOREFLEET_PORT_OFFSET:-0}))

localstripe_secrets() {
    local file=$data/stripe.env
    if [[ ! -s $file ]]; then
        (
            umask 077
            {
                echo "STRIPE_SECRET_KEY=sk_test_$(openssl rand -hex 24)"
                echo "STRIPE_PUBLISHABLE_KEY=pk_test_$(openssl rand -hex 24)"
                echo "STRIPE_WEBHOOK_SECRET=whsec_$(openssl rand -hex 24)"
            } >"$file.new"
            mv "$file.new" "$file"
        )
    fi
    chmod 0600 "$file"
    # shellcheck disable=SC1090
    . "$file"
}

# The stack.env lines (docs/CONTRACTS.md, Payments).
localstripe_env() {
    cat <<EOF
STOREFLEET_STRIPE_API_BASE=http://127.0.0.1:$localstripe_port
STOREFLEET_STRIPE_JS_URL=http://127.0.0.1:$localstripe_port/js.stripe.com/v3/
STOREFLEET_STRIPE_SECRET_KEY=$STRIPE_SECRET_KEY
STOREFLEET_STRIPE_PUBLISHABLE_KEY=$STRIPE_PUBLISHABLE_KEY
STOREFLEET_STRIPE_WEBHOOK_SECRET=$STRIPE_WEBHOOK_SECRET
STOREFLEET_STRIPE_FEE_PPM=20000
STOREFLEET_STRIPE_FEE_FIXED_MINOR=30
STOREFLEET_LOCALSTRIPE_URL=http://127.0.0.1:$localstripe_port
EOF
}

localstripe_listening() { (exec 3<>"/dev/tcp/127.0.0.1/$localstripe_port") 2>/dev/null; }

localstripe_start() {
    local pidfile=$run/localstripe.pid python secret_file=$run/localstripe-webhook-secret
    live_pid "$pidfile" localstripe_connect.py >/dev/null && return 0
    python=$("$repo/scripts/venv.sh" 9>&-) || die "scripts/venv.sh failed (the project's Python venv)"
    (umask 077 && printf '%s\n' "$STRIPE_WEBHOOK_SECRET" >"$secret_file")
    mkdir -p "$data/localstripe"
    say "starting localstripe on 127.0.0.1:$localstripe_port (webhooks to /webhooks/stripe)"
    (cd "$repo" && exec setsid "$python" scripts/localstripe_connect.py --host 127.0.0.1 --port "$localstripe_port" \
        --state "$data/localstripe/state.pickle" --webhook-url "http://127.0.0.1:$http_port/webhooks/stripe" \
        --webhook-secret-file "$secret_file" </dev/null >>"$logs/localstripe.log" 2>&1 9>&-) &
    echo $! >"$pidfile"
    local deadline=$((SECONDS + 30))
    until localstripe_listening; do
        kill -0 "$(<"$pidfile")" 2>/dev/null || {
            tail -n 5 "$logs/localstripe.log" >&2
            die "localstripe exited (port $localstripe_port taken?); see $logs/localstripe.log"
        }
        ((SECONDS < deadline)) || die "localstripe did not listen within 30s; see $logs/localstripe.log"
        sleep 0.1
    done
}

localstripe_stop() {
    stop_pid "$run/localstripe.pid" localstripe_connect.py TERM 10 "localstripe"
}

localstripe_status() {
    local pid
    if pid=$(live_pid "$run/localstripe.pid" localstripe_connect.py); then
        echo "localstripe (127.0.0.1:$localstripe_port): running (pid $pid)"
    else
        echo "localstripe (127.0.0.1:$localstripe_port): stopped"
    fi
}

# ---------------------------------------------------------------------------------------------
# storefleet: migrations, servers, serve, jobs, the demo store

# Runs the executable from the checkout (it finds templates/ and migrations/ there) with the
# settings of stack.env in its environment.
storefleet() { (cd "$repo" && set -a && . "$data/stack.env" && set +a && exec "$bin" "$@"); }

# Test-only routes (a slow request, a crash on demand) for the signal tests; never in `run`.
test_routes() { if [[ $profile == test ]]; then echo 1; else echo 0; fi; }

# Registers both servers; the tenant endpoint is the server itself or its PgBouncer (see
# STOREFLEET_TENANT_POOL in the PgBouncer section). `servers add` updates a server of the same
# name, so a changed endpoint applies to existing stores too.
register_servers() {
    local n port tenant_host tenant_port
    for n in 1 2; do
        port=$(server_port "$n")
        case $tenant_pool in
            direct) tenant_host=127.0.0.1 tenant_port=$port ;;
            pgbouncer) tenant_host=$(bouncer_host "$n") tenant_port=$bouncer_port ;;
            *) die "STOREFLEET_TENANT_POOL must be direct or pgbouncer, not $tenant_pool" ;;
        esac
        storefleet servers add --name "server$n" \
            --admin-url "postgresql://storefleet_admin:$ADMIN_PASSWORD@127.0.0.1:$port/postgres" \
            --tenant-host "$tenant_host" --tenant-port "$tenant_port" \
            </dev/null >>"$logs/setup.log" 2>&1 || die "storefleet servers add failed; see $logs/setup.log"
    done
}

# Whether the process PID was started with every KEY=VALUE of stack.env in its environment. A
# SIGHUP reload keeps the environment a process started with, so a changed stack.env (a new key,
# another port) needs a restart.
has_stack_env() {
    local pid=$1 line
    local environ
    environ=$(tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null) || return 1
    while IFS= read -r line; do
        [[ $line == STOREFLEET_*=* ]] || continue
        grep -qxF -- "$line" <<<"$environ" || return 1
    done <"$data/stack.env"
}

# How a running storefleet process relates to $bin: `same`, `rebuilt` (same path, but the file
# was replaced since it started) or `other` (another executable, e.g. debug instead of release).
running_binary() {
    local exe
    exe=$(readlink "/proc/$1/exe" 2>/dev/null || true)
    if [[ $exe == "$(readlink -f "$bin")" ]]; then
        echo same
    elif [[ $exe == "$(readlink -f "$bin") (deleted)" ]]; then
        echo rebuilt
    else
        echo other
    fi
}

start_serve() {
    local pidfile=$run/serve.pid pid
    if pid=$(live_pid "$pidfile" storefleet) && [[ $(running_binary "$pid") == other ]]; then
        say "storefleet serve runs another executable; restarting it"
        stop_pid "$pidfile" storefleet TERM 45 "storefleet serve"
    fi
    if pid=$(live_pid "$pidfile" storefleet) && ! has_stack_env "$pid"; then
        say "stack.env changed since storefleet serve started; restarting it"
        stop_pid "$pidfile" storefleet TERM 45 "storefleet serve"
    fi
    if pid=$(live_pid "$pidfile" storefleet); then
        # SIGHUP: the master re-execs itself (a rebuilt binary, edited templates) and replaces
        # its workers without dropping a request.
        say "storefleet serve already running; reloading it"
        kill -HUP "$pid"
    else
        say "starting storefleet serve ($workers workers) on $socket"
        rm -f "$socket"
        local args=(serve --socket "$socket" --workers "$workers" --pid-file "$pidfile")
        (cd "$repo" && set -a && . "$data/stack.env" && STOREFLEET_TEST_ROUTES=$(test_routes) && set +a &&
            exec setsid "$bin" "${args[@]}" </dev/null >>"$logs/serve.log" 2>&1 9>&-) &
        echo $! >"$pidfile"
    fi
    local deadline=$((SECONDS + 60))
    until [[ -S $socket ]] &&
        [[ $(curl -s -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$http_port/healthz") == 200 ]]; do
        kill -0 "$(<"$pidfile")" 2>/dev/null || { tail -n 20 "$logs/serve.log" >&2; die "storefleet serve exited; see $logs/serve.log"; }
        ((SECONDS < deadline)) || die "storefleet serve did not answer /healthz within 60s; see $logs/serve.log"
        sleep 0.1
    done
}

start_jobs() {
    local pidfile=$run/jobs.pid pid
    if pid=$(live_pid "$pidfile" storefleet); then
        [[ $(running_binary "$pid") == same ]] && has_stack_env "$pid" && return 0
        # SIGTERM: the runner finishes the job in hand, then exits.
        stop_pid "$pidfile" storefleet TERM 60 "storefleet jobs (to run the new executable or settings)"
    fi
    say "starting storefleet jobs"
    (cd "$repo" && set -a && . "$data/stack.env" && set +a &&
        exec setsid "$bin" jobs </dev/null >>"$logs/jobs.log" 2>&1 9>&-) &
    echo $! >"$pidfile"
    # The runner has no readiness signal; a bad configuration makes it exit, which `status` shows.
    kill -0 "$(<"$pidfile")" 2>/dev/null || die "storefleet jobs exited; see $logs/jobs.log"
}

# The demo store, once: provisioning again resumes one that failed half-way. It belongs to the
# demo merchant's organization, so `make run` has an admin to log in to (local profile only; the
# password is printed by `make run` and is no secret).
demo_email=demo@storefleet.localhost
demo_password=storefleet-demo
ensure_demo_store() {
    local status org
    org=$(storefleet users create --email "$demo_email" --name "Demo Merchant" --organization "Demo Company" \
            --password "$demo_password" --verified --if-missing </dev/null 2>>"$logs/setup.log" | tail -n 1) ||
        die "storefleet users create failed; see $logs/setup.log"
    [[ $org =~ ^[0-9]+$ ]] || die "storefleet users create printed no organization id; see $logs/setup.log"
    status=$(psql_super 1 storefleet_registry -At -c "SELECT status FROM stores WHERE slug = 'demo'")
    if [[ $status == active || $status == suspended ]]; then
        # A demo store made before the demo account existed joins its organization.
        psql_super 1 storefleet_registry -c "UPDATE stores SET org_id = $org WHERE slug = 'demo' AND org_id IS NULL" >/dev/null
        return 0
    fi
    say "provisioning the demo store"
    storefleet provision --slug demo --name "Demo Store" --sample-data --org "$org" </dev/null >>"$logs/setup.log" 2>&1 ||
        die "storefleet provision failed; see $logs/setup.log"
}

start_storefleet() {
    [[ -n $bin ]] || die "STOREFLEET_BIN is not set (the Makefile sets it: make run / make test)"
    [[ -x $bin ]] || die "STOREFLEET_BIN=$bin is not an executable; build first (swift build)"

    say "migrating the registry, registering the database servers, migrating tenants"
    storefleet migrate --registry </dev/null >>"$logs/setup.log" 2>&1 ||
        die "storefleet migrate --registry failed; see $logs/setup.log (a migration edited after this
    profile applied it is refused: start over with scripts/stack.sh destroy $profile)"
    register_servers
    # Brings each server's template database and every existing store to the latest migration.
    # A store that cannot be migrated is reported and keeps its version; the stack still starts.
    storefleet migrate --tenants all </dev/null >>"$logs/setup.log" 2>&1 ||
        say "warning: some tenant migrations failed (see $logs/setup.log); starting anyway.
    A migration edited after this profile applied it is refused: scripts/stack.sh destroy $profile
    starts the profile over."

    start_serve
    start_jobs
    if [[ $profile == run ]]; then
        ensure_demo_store
    fi
    pgbouncer_sync
}

stop_storefleet() {
    stop_pid "$run/jobs.pid" storefleet TERM 30 "storefleet jobs"
    # SIGTERM: the master drains; requests in flight finish.
    stop_pid "$run/serve.pid" storefleet TERM 45 "storefleet serve"
    rm -f "$socket"
}

# ---------------------------------------------------------------------------------------------

up() {
    local started=$SECONDS
    [[ $(id -u) == 0 ]] || die "run as root: PostgreSQL runs as the postgres user (runuser)"
    prepare_folders
    load_secrets
    ensure_master_key
    localstripe_secrets
    write_stack_env
    init_server 1
    init_server 2
    start_server 1
    start_server 2
    create_roles
    start_bouncer 1
    start_bouncer 2
    start_nginx
    start_smtp
    localstripe_start
    start_storefleet
    say "up in $((SECONDS - started))s; settings in $data/stack.env"
}

down() {
    [[ -d $data ]] || return 0
    stop_storefleet
    stop_smtp
    localstripe_stop
    stop_nginx
    if [[ -d $pghome ]]; then
        stop_bouncer 2
        stop_bouncer 1
        stop_server 2
        stop_server 1
    fi
}

status() {
    local pid
    show() { if pid=$(live_pid "$2" "$3"); then echo "$1: running (pid $pid)"; else echo "$1: stopped"; fi; }
    for n in 1 2; do
        if [[ -d $pghome ]] && as_postgres "$pg_bin/pg_ctl" -D "$(server_dir $n)" status >/dev/null 2>&1; then
            echo "postgres server $n: running (127.0.0.1:$(server_port $n))"
        else
            echo "postgres server $n: stopped"
        fi
    done
    show "pgbouncer 1 (127.0.0.1:$bouncer_port)" "$pghome/pgbouncer1/pgbouncer.pid" pgbouncer
    show "pgbouncer 2 ($pghome/pgbouncer2)" "$pghome/pgbouncer2/pgbouncer.pid" pgbouncer
    show "nginx (127.0.0.1:$http_port)" "$nginx_dir/nginx.pid" nginx
    show "storefleet serve" "$run/serve.pid" storefleet
    show "storefleet jobs" "$run/jobs.pid" storefleet
    show "smtp catcher (127.0.0.1:$smtp_port, mail in $mail_dir)" "$run/smtp-catcher.pid" smtp-catcher.py
    localstripe_status
}

destroy() {
    down
    local outside=
    [[ -L $pghome_link ]] && outside=$(readlink -f "$pghome_link" || true)
    rm -rf "$data"
    if [[ -n $outside && $outside == /var/lib/storefleet/* ]]; then
        rm -rf "$outside"
        rmdir --ignore-fail-on-non-empty "$(dirname "$outside")"
    fi
    say "removed $data"
}

# One `up`/`down` of a profile at a time. Every process started below gets `9>&-` so it does not
# inherit (and hold) this lock.
mkdir -p "$repo/.data"
exec 9>"$repo/.data/.$profile.lock"
flock -w 300 9 || die "another scripts/stack.sh is working on $profile"

case $command in
    up) up ;;
    down) down ;;
    status) status ;;
    destroy) destroy ;;
    pgbouncer-sync) pgbouncer_sync ;;
    *) usage ;;
esac
