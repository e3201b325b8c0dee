;; snapshot.wat - the fixed module of fuzz_snapshot.c.
;;
;; Small, but its suspended state has everything a snapshot must carry:
;; several frames of recursion with i32/i64/f64/funcref locals, mutable
;; globals of every kind, a table holding both its own functions and the
;; imported host function, memory that is written and grown while running,
;; and host calls (which the harness makes BLOCK now and then).
(module
  (type $i2i (func (param i32) (result i32)))
  (import "env" "tick" (func $tick (type $i2i)))
  (memory (export "memory") 1 4)
  (table $t 4 8 funcref)
  (global $count (mut i32) (i32.const 0))
  (global $acc (mut i64) (i64.const 1))
  (global $f (mut f64) (f64.const 0.5))
  (global $ref (mut funcref) (ref.null func))
  (global $ext (mut externref) (ref.null extern))
  (elem (table $t) (i32.const 0) func $sq $tri $walk $tick)
  (data (i32.const 16) "warren snapshot fuzz seed")

  (func $sq (type $i2i)
    (i32.mul (local.get 0) (local.get 0)))

  (func $tri (type $i2i) (local $i i32) (local $s i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get 0)))
        (local.set $s (i32.add (local.get $s) (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $s))

  ;; FNV-1a over memory, leaving a trail of bytes behind.
  (func $walk (type $i2i) (local $i i32) (local $h i32)
    (local.set $h (i32.const 0x811c9dc5))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get 0)))
        (local.set $h
          (i32.mul
            (i32.xor (local.get $h)
                     (i32.load8_u (i32.and (local.get $i) (i32.const 0xffff))))
            (i32.const 0x01000193)))
        (i32.store8 offset=1024 (i32.and (local.get $i) (i32.const 0x3fff)) (local.get $h))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $h))

  ;; n frames deep; each level goes through the table (sometimes to the
  ;; host function), touches every global and keeps live locals.
  (func $rec (export "rec") (param $n i32) (result i32)
    (local $x i32) (local $d f64) (local $w i64) (local $r funcref)
    (if (result i32) (i32.eqz (local.get $n))
      (then (call $tick (global.get $count)))
      (else
        (global.set $count (i32.add (global.get $count) (i32.const 1)))
        (global.set $acc
          (i64.mul (global.get $acc)
                   (i64.extend_i32_u (i32.add (local.get $n) (i32.const 1)))))
        (local.set $d (f64.add (global.get $f) (f64.convert_i32_u (local.get $n))))
        (global.set $f (local.get $d))
        (local.set $r (table.get $t (i32.and (local.get $n) (i32.const 3))))
        (global.set $ref (local.get $r))
        (local.set $w (i64.rotl (global.get $acc) (i64.extend_i32_u (local.get $n))))
        (local.set $x
          (call_indirect (type $i2i)
            (i32.add (local.get $n) (i32.const 50))
            (i32.and (local.get $n) (i32.const 3))))
        (i32.add
          (i32.add (local.get $x) (i32.wrap_i64 (local.get $w)))
          (i32.add (i32.trunc_f64_u (local.get $d))
                   (call $rec (i32.sub (local.get $n) (i32.const 1))))))))

  (func $run (export "run") (param $n i32) (result i32) (local $i i32) (local $s i32)
    (loop $l
      (local.set $s
        (i32.add (local.get $s) (call $rec (i32.and (local.get $i) (i32.const 15)))))
      (if (i32.eq (local.get $i) (i32.const 5))
        (then (drop (memory.grow (i32.const 1)))))
      (i32.store (i32.const 8) (local.get $s))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $s))
)
