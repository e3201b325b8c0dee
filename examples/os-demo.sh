# examples/os-demo.sh - run inside warren by `make demo`: `warren sh examples/os-demo.sh`.
# Every command here is a WebAssembly process (guest/bin), scheduled by fuel.
echo "== pipelines: seq | grep | wc, and ls /bin | sort | head"
seq 1 30 | grep 3 | wc -l
ls /bin | sort | head -3
echo "== files and redirections"
echo hello > /tmp/greeting
echo world >> /tmp/greeting
cat < /tmp/greeting | sort -r
echo "== a background job, then kill"
sleep 100 &
pid=$!
jobs
kill $pid
wait $pid
echo "sleep (pid $pid) ended with status $?"
echo "== a fork tree: sh -> sh -> sh, each printing its pid"
sh -c 'echo "child $$"; sh -c "echo grandchild \$\$; sh -c \"echo great-grandchild \\\$\\\$\""'
echo "== the process table, with a sleeping job in the background"
sleep 5 &
ps
kill %1
wait
echo "== exit statuses: false; echo \$?"
false
echo "status $?"
