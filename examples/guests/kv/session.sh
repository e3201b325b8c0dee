# session.sh - a guest shell script of examples/kv-host.c: the same native
# "kv" interface from the shell, through the userland's msg tool.
msg kv set greeting hello
msg -t kv get greeting
msg kv incr visits >/dev/null
msg -t kv keys | grep greeting
msg kv get nosuchkey || echo "nosuchkey: missing, as expected"
