# Sourced by benchmark scripts: a private `storefleet serve` on its own socket and an nginx
# rendered from nginx/ in front of it, so a benchmark measures the binary it names and leaves the
# profile's own serve and nginx alone. Stop them with `stop_private_serve`.
#
#   start_private_serve BIN WORKERS WORK_DIR HTTP_PORT ENV_FILE
#
# Needs ROOT (the checkout) and the stack's variables (STOREFLEET_PLATFORM_DOMAIN,
# STOREFLEET_DATA_DIR) in the environment; returns once /healthz answers 200.
start_private_serve() {
    local bin=$1 workers=$2 work=$3 port=$4 env_file=$5
    (set -a; . "$env_file"; set +a; exec setsid "$bin" serve --socket "$work/sf.sock" --workers "$workers" \
        --pid-file "$work/serve.pid" </dev/null >>"$work/serve.log" 2>&1) &
    mkdir -p "$work/nginx/snippets" "$work/nginx/errors" "$work/nginx/tmp" "$work/logs"
    export SF_USER=$(id -un) SF_GROUP=$(id -gn) SF_NGINX_DIR=$work/nginx SF_LOG_DIR=$work/logs
    export SF_PLATFORM_DOMAIN=$STOREFLEET_PLATFORM_DOMAIN SF_SOCKET=$work/sf.sock SF_PUBLIC_DIR=$ROOT/public
    export SF_TEMPLATES_DIR=$ROOT/templates SF_MEDIA_DIR=$STOREFLEET_DATA_DIR/media SF_ACME_DIR=$STOREFLEET_DATA_DIR/acme
    export SF_LISTEN="listen 127.0.0.1:$port;"
    export SF_LISTEN_DEFAULT="listen 127.0.0.1:$port default_server reuseport backlog=4096;"
    local vars='${SF_USER} ${SF_GROUP} ${SF_NGINX_DIR} ${SF_LOG_DIR} ${SF_LISTEN} ${SF_LISTEN_DEFAULT}
        ${SF_PLATFORM_DOMAIN} ${SF_SOCKET} ${SF_PUBLIC_DIR} ${SF_TEMPLATES_DIR} ${SF_MEDIA_DIR} ${SF_ACME_DIR}'
    local file
    for file in "$ROOT"/nginx/*.conf "$ROOT"/nginx/snippets/*.conf; do
        envsubst "$vars" <"$file" >"$work/nginx/${file#"$ROOT"/nginx/}"
    done
    cp "$ROOT"/nginx/errors/*.html "$work/nginx/errors/"
    nginx -c "$work/nginx/nginx.conf" -p "$work/nginx"
    for _ in $(seq 1 100); do
        [[ $(curl -s -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz") == 200 ]] && return 0
        sleep 0.2
    done
}

stop_private_serve() { # WORK_DIR
    [[ -f $1/nginx/nginx.pid ]] && kill "$(<"$1/nginx/nginx.pid")" 2>/dev/null || true
    [[ -f $1/serve.pid ]] && kill -TERM "$(<"$1/serve.pid")" 2>/dev/null || true
}
