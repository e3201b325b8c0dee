# examples/task-demo.sh - run inside warren by `make demo`: processes built
# and controlled with nothing but files (/task), and namespaces.
state() { read pid ppid pgid st rest; echo "state: $st"; }

echo "== a task from /task/new: a command, start, wait, read its output"
id=$(cat /task/new)
echo "cmd /bin/seq 3" > /task/$id/ctl
echo start > /task/$id/ctl
cat /task/$id/wait
cat /task/$id/fd/1

echo "== two tasks wired by a pipe, through their fd/N/ctl files"
a=$(cat /task/new)
b=$(cat /task/new)
echo "pipe $b/fd/0" > /task/$a/fd/1/ctl
echo "cmd /bin/wc -l" > /task/$b/ctl
echo start > /task/$b/ctl
echo "cmd /bin/seq 42" > /task/$a/ctl
echo start > /task/$a/ctl
cat /task/$b/wait
echo "lines: $(cat /task/$b/fd/1)"

echo "== control: stop, look, kill"
id=$(cat /task/new)
echo "dup /dev/null" > /task/$id/fd/1/ctl
echo "cmd /bin/yes" > /task/$id/ctl
echo start > /task/$id/ctl
sleep 0.05
echo stop > /task/$id/ctl
sleep 0.05
state < /task/$id/status
echo "kill 9" > /task/$id/ctl
cat /task/$id/wait

echo "== a bad message fails, and the ctl file says why"
id=$(cat /task/new)
echo "renice 5" > /task/$id/ctl
cat /task/$id/ctl
echo kill > /task/$id/ctl

echo "== namespaces: a union directory, then the namespace as binds"
mkdir /tmp/extra
echo hello > /tmp/extra/greeting
bind -a /tmp/extra /bin
ls /bin | grep greeting
ns | tail -1

echo "== a confined child: its /task shows only its own subtree"
id=$(cat /task/new)
echo "bind /task/$id/tree /task" > /task/$id/ns/ctl
echo nomount > /task/$id/ns/ctl
echo "cmd /bin/ls /task" > /task/$id/ctl
echo start > /task/$id/ctl
cat /task/$id/wait
cat /task/$id/fd/1

echo "== top, once"
top -n 1 -d 0.1
