;; GF(2^8) multiply-accumulate for zfec-compatible Reed-Solomon, WebAssembly SIMD128.
;;
;; Multiplying by a constant c splits each byte x into nibbles:
;;   c·x = c·(x & 15) ^ c·(x >> 4 << 4)
;; and each half is a 16-entry table lookup, done 16 bytes at a time by i8x16.swizzle.
;;
;; Memory layout (the host fills it in):
;;   0 .. 8191   for each coefficient c: c·(0..15) at c*32, c·(0..15 << 4) at c*32 + 16
;;   coef        m rows of k coefficient bytes
;;   in          k input blocks, stride inStride (any stride; reads may run up to 63 bytes past
;;               the last block, so the host leaves slack there)
;;   out         m output blocks, stride outStride (a multiple of 64 and at least len rounded
;;               up to 64: up to 63 bytes past len get written)
;;
;; The host makes the memory and passes it in. It is built four ways (scripts/build-wasm.mjs):
;; with a shared memory, so that a worker thread can hand its output blocks to another thread as
;; views, with no copy, or with a memory of its own, for everything else; and with swizzle or,
;; where the engine has relaxed SIMD, relaxed_swizzle (the same bytes for indices 0..15, which
;; are all this kernel looks up, and one instruction fewer per lookup on x64).
(module
  (import "env" "memory" (memory 2 65536 shared))

  ;; out[t] = XOR over i < k of coef[i]·in[i*stride + t], for t in [0, len rounded up to 64).
  ;; k ≥ 1. Four 16-byte accumulators stay in registers across the whole input loop.
  (func $row (param $coef i32) (param $k i32) (param $in i32) (param $stride i32)
             (param $out i32) (param $len i32)
    (local $end i32) (local $c i32) (local $coefEnd i32) (local $p i32) (local $tab i32)
    (local $mask v128) (local $lo v128) (local $hi v128) (local $x v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $mask (i8x16.splat (i32.const 15)))
    (local.set $end (i32.add (local.get $out) (local.get $len)))
    (local.set $coefEnd (i32.add (local.get $coef) (local.get $k)))
    (block $done
      (loop $chunk
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        (local.set $a0 (v128.const i64x2 0 0))
        (local.set $a1 (v128.const i64x2 0 0))
        (local.set $a2 (v128.const i64x2 0 0))
        (local.set $a3 (v128.const i64x2 0 0))
        (local.set $c (local.get $coef))
        (local.set $p (local.get $in))
        (loop $input
          (local.set $tab (i32.shl (i32.load8_u (local.get $c)) (i32.const 5)))
          (local.set $lo (v128.load (local.get $tab)))
          (local.set $hi (v128.load offset=16 (local.get $tab)))

          (local.set $x (v128.load (local.get $p)))
          (local.set $a0 (v128.xor (local.get $a0) (v128.xor
            (i8x16.swizzle (local.get $lo) (v128.and (local.get $x) (local.get $mask)))
            (i8x16.swizzle (local.get $hi)
              (v128.and (i16x8.shr_u (local.get $x) (i32.const 4)) (local.get $mask))))))
          (local.set $x (v128.load offset=16 (local.get $p)))
          (local.set $a1 (v128.xor (local.get $a1) (v128.xor
            (i8x16.swizzle (local.get $lo) (v128.and (local.get $x) (local.get $mask)))
            (i8x16.swizzle (local.get $hi)
              (v128.and (i16x8.shr_u (local.get $x) (i32.const 4)) (local.get $mask))))))
          (local.set $x (v128.load offset=32 (local.get $p)))
          (local.set $a2 (v128.xor (local.get $a2) (v128.xor
            (i8x16.swizzle (local.get $lo) (v128.and (local.get $x) (local.get $mask)))
            (i8x16.swizzle (local.get $hi)
              (v128.and (i16x8.shr_u (local.get $x) (i32.const 4)) (local.get $mask))))))
          (local.set $x (v128.load offset=48 (local.get $p)))
          (local.set $a3 (v128.xor (local.get $a3) (v128.xor
            (i8x16.swizzle (local.get $lo) (v128.and (local.get $x) (local.get $mask)))
            (i8x16.swizzle (local.get $hi)
              (v128.and (i16x8.shr_u (local.get $x) (i32.const 4)) (local.get $mask))))))

          (local.set $p (i32.add (local.get $p) (local.get $stride)))
          (br_if $input (i32.lt_u
            (local.tee $c (i32.add (local.get $c) (i32.const 1)))
            (local.get $coefEnd))))
        (v128.store (local.get $out) (local.get $a0))
        (v128.store offset=16 (local.get $out) (local.get $a1))
        (v128.store offset=32 (local.get $out) (local.get $a2))
        (v128.store offset=48 (local.get $out) (local.get $a3))
        (local.set $in (i32.add (local.get $in) (i32.const 64)))
        (local.set $out (i32.add (local.get $out) (i32.const 64)))
        (br $chunk))))

  ;; $row for two output rows at once: out0 from the coefficients at coef0, out1 from those at
  ;; coef1. Each input vector is loaded and split into nibbles once for both rows. Measured on
  ;; 3-of-10 (V8 11.3, x64): with relaxed_swizzle, pairs of rows are about 20 % faster than rows
  ;; one by one, and as fast with swizzle; three or four rows at a time are slower, as their
  ;; accumulators no longer fit in registers.
  (func $row2 (param $coef0 i32) (param $coef1 i32) (param $k i32) (param $in i32)
              (param $stride i32) (param $out0 i32) (param $out1 i32) (param $len i32)
    (local $end i32) (local $c i32) (local $p i32) (local $tab0 i32) (local $tab1 i32)
    (local $mask v128) (local $lo v128) (local $hi v128) (local $x v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    (local $lo0 v128) (local $hi0 v128) (local $lo1 v128) (local $hi1 v128)
    (local.set $mask (i8x16.splat (i32.const 15)))
    (local.set $end (i32.add (local.get $out0) (local.get $len)))
    (block $done
      (loop $chunk
        (br_if $done (i32.ge_u (local.get $out0) (local.get $end)))
        (local.set $a0 (v128.const i64x2 0 0))
        (local.set $a1 (v128.const i64x2 0 0))
        (local.set $a2 (v128.const i64x2 0 0))
        (local.set $a3 (v128.const i64x2 0 0))
        (local.set $b0 (v128.const i64x2 0 0))
        (local.set $b1 (v128.const i64x2 0 0))
        (local.set $b2 (v128.const i64x2 0 0))
        (local.set $b3 (v128.const i64x2 0 0))
        (local.set $c (i32.const 0))
        (local.set $p (local.get $in))
        (loop $input
          (local.set $tab0 (i32.shl (i32.load8_u (i32.add (local.get $coef0) (local.get $c))) (i32.const 5)))
          (local.set $tab1 (i32.shl (i32.load8_u (i32.add (local.get $coef1) (local.get $c))) (i32.const 5)))
          (local.set $lo0 (v128.load (local.get $tab0)))
          (local.set $hi0 (v128.load offset=16 (local.get $tab0)))
          (local.set $lo1 (v128.load (local.get $tab1)))
          (local.set $hi1 (v128.load offset=16 (local.get $tab1)))
          (local.set $x (v128.load (local.get $p)))
          (local.set $lo (v128.and (local.get $x) (local.get $mask)))
          (local.set $hi (v128.and (i16x8.shr_u (local.get $x) (i32.const 4)) (local.get $mask)))
          (local.set $a0 (v128.xor (local.get $a0) (v128.xor
            (i8x16.swizzle (local.get $lo0) (local.get $lo))
            (i8x16.swizzle (local.get $hi0) (local.get $hi)))))
          (local.set $b0 (v128.xor (local.get $b0) (v128.xor
            (i8x16.swizzle (local.get $lo1) (local.get $lo))
            (i8x16.swizzle (local.get $hi1) (local.get $hi)))))
          (local.set $x (v128.load offset=16 (local.get $p)))
          (local.set $lo (v128.and (local.get $x) (local.get $mask)))
          (local.set $hi (v128.and (i16x8.shr_u (local.get $x) (i32.const 4)) (local.get $mask)))
          (local.set $a1 (v128.xor (local.get $a1) (v128.xor
            (i8x16.swizzle (local.get $lo0) (local.get $lo))
            (i8x16.swizzle (local.get $hi0) (local.get $hi)))))
          (local.set $b1 (v128.xor (local.get $b1) (v128.xor
            (i8x16.swizzle (local.get $lo1) (local.get $lo))
            (i8x16.swizzle (local.get $hi1) (local.get $hi)))))
          (local.set $x (v128.load offset=32 (local.get $p)))
          (local.set $lo (v128.and (local.get $x) (local.get $mask)))
          (local.set $hi (v128.and (i16x8.shr_u (local.get $x) (i32.const 4)) (local.get $mask)))
          (local.set $a2 (v128.xor (local.get $a2) (v128.xor
            (i8x16.swizzle (local.get $lo0) (local.get $lo))
            (i8x16.swizzle (local.get $hi0) (local.get $hi)))))
          (local.set $b2 (v128.xor (local.get $b2) (v128.xor
            (i8x16.swizzle (local.get $lo1) (local.get $lo))
            (i8x16.swizzle (local.get $hi1) (local.get $hi)))))
          (local.set $x (v128.load offset=48 (local.get $p)))
          (local.set $lo (v128.and (local.get $x) (local.get $mask)))
          (local.set $hi (v128.and (i16x8.shr_u (local.get $x) (i32.const 4)) (local.get $mask)))
          (local.set $a3 (v128.xor (local.get $a3) (v128.xor
            (i8x16.swizzle (local.get $lo0) (local.get $lo))
            (i8x16.swizzle (local.get $hi0) (local.get $hi)))))
          (local.set $b3 (v128.xor (local.get $b3) (v128.xor
            (i8x16.swizzle (local.get $lo1) (local.get $lo))
            (i8x16.swizzle (local.get $hi1) (local.get $hi)))))
          (local.set $p (i32.add (local.get $p) (local.get $stride)))
          (br_if $input (i32.lt_u
            (local.tee $c (i32.add (local.get $c) (i32.const 1)))
            (local.get $k))))
        (v128.store (local.get $out0) (local.get $a0))
        (v128.store offset=16 (local.get $out0) (local.get $a1))
        (v128.store offset=32 (local.get $out0) (local.get $a2))
        (v128.store offset=48 (local.get $out0) (local.get $a3))
        (v128.store (local.get $out1) (local.get $b0))
        (v128.store offset=16 (local.get $out1) (local.get $b1))
        (v128.store offset=32 (local.get $out1) (local.get $b2))
        (v128.store offset=48 (local.get $out1) (local.get $b3))
        (local.set $in (i32.add (local.get $in) (i32.const 64)))
        (local.set $out0 (i32.add (local.get $out0) (i32.const 64)))
        (local.set $out1 (i32.add (local.get $out1) (i32.const 64)))
        (br $chunk))))

  ;; All m output rows. Works in strips of `strip` bytes (a multiple of 64) so that the inputs
  ;; of one strip stay in cache while every output row reads them.
  (func (export "mulRows") (param $coef i32) (param $k i32) (param $in i32) (param $inStride i32)
                           (param $out i32) (param $outStride i32) (param $m i32)
                           (param $len i32) (param $strip i32)
    (local $s i32) (local $j i32) (local $n i32)
    (block $done
      (loop $strips
        (br_if $done (i32.ge_u (local.get $s) (local.get $len)))
        (local.set $n (i32.sub (local.get $len) (local.get $s)))
        (if (i32.gt_u (local.get $n) (local.get $strip)) (then (local.set $n (local.get $strip))))
        (local.set $j (i32.const 0))
        (block $rowsDone
          (loop $rows
            (br_if $rowsDone (i32.ge_u (i32.add (local.get $j) (i32.const 1)) (local.get $m)))
            (call $row2
              (i32.add (local.get $coef) (i32.mul (local.get $j) (local.get $k)))
              (i32.add (local.get $coef) (i32.mul (i32.add (local.get $j) (i32.const 1)) (local.get $k)))
              (local.get $k)
              (i32.add (local.get $in) (local.get $s))
              (local.get $inStride)
              (i32.add (i32.add (local.get $out) (i32.mul (local.get $j) (local.get $outStride)))
                       (local.get $s))
              (i32.add (i32.add (local.get $out) (i32.mul (i32.add (local.get $j) (i32.const 1)) (local.get $outStride)))
                       (local.get $s))
              (local.get $n))
            (local.set $j (i32.add (local.get $j) (i32.const 2)))
            (br $rows)))
        ;; an odd row out
        (if (i32.lt_u (local.get $j) (local.get $m)) (then
            (call $row
              (i32.add (local.get $coef) (i32.mul (local.get $j) (local.get $k)))
              (local.get $k)
              (i32.add (local.get $in) (local.get $s))
              (local.get $inStride)
              (i32.add (i32.add (local.get $out) (i32.mul (local.get $j) (local.get $outStride)))
                       (local.get $s))
              (local.get $n))))
        (local.set $s (i32.add (local.get $s) (local.get $strip)))
        (br $strips))))
)
