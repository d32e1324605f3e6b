// RUN: ziggurat opt %s --emit-llvm | filecheck %s
// RUN: ziggurat opt %s --emit-llvm | filecheck %s --check-prefix=NOLIBM
// NOLIBM-NOT: {{expf|llvm\.exp\.v[0-9]+f32}}
// Codegen of a loop.gemm kernel op (8x16 @ 16x32, AVX2 schedule: 6x16 register tile, 8-lane vectors)
// with a bias + sigmoid epilogue. The kernel function packs B into a stack workspace (the weight is
// not prepacked) and calls the range driver with the launch's (start, end) rows; the micro-kernel
// keeps 6 x 2 <8 x float> accumulators in phis, updated with llvm.fma.v8f32. The epilogue runs on the
// accumulator registers: exp is the inline polynomial of codegen/vector_math.py (clamp, 2^n through
// the exponent bits), never a call to expf or llvm.exp on a vector; only the scalar edge path keeps
// llvm.exp.f32.
// CHECK-LABEL: define void @"k0"(i8** noalias %"args", i64 %"start", i64 %"end")
// CHECK: %"ws" = alloca [512 x float], align 64
// CHECK: call void @"k0.sgemm_pack_b"(float* %[[B:.*]], float* %[[WS:.*]])
// CHECK-NEXT: call void @"k0.sgemm_prepacked_range"(float* %{{.*}}, float* %[[WS]], float* %{{.*}}, float* %{{.*}}, i64 %"start", i64 %"end")
// CHECK-NEXT: ret void
// CHECK-LABEL: define internal void @"k0.sgemm.ukernel"
// CHECK: %"k.c0" = phi  <8 x float> [<float 0.0, {{.*}}>, %"entry"]
// CHECK: %"k.c11" = phi  <8 x float>
// CHECK-NOT: %"k.c12" = phi
// CHECK: call <8 x float> @"llvm.fma.v8f32"({{.*}}%"k.c0")
// The vector sigmoid: -|x|, clamped to [-87.34, 88.72], n = floor(x log2(e) + 0.5), the polynomial,
// then (n + 127) << 23 reinterpreted as a float scales it by 2^n.
// CHECK: %[[ABS:.*]] = call <8 x float> @"llvm.fabs.v8f32"
// CHECK-NEXT: %[[NEG:.*]] = fneg <8 x float> %[[ABS]]
// CHECK: call <8 x float> @"llvm.maxnum.v8f32"(<8 x float> %[[NEG]], <8 x float> <float 0xc055d589e0000000
// CHECK-NEXT: call <8 x float> @"llvm.minnum.v8f32"({{.*}}<float 0x40562e42e0000000
// CHECK-NEXT: call <8 x float> @"llvm.fma.v8f32"({{.*}}<float 0x3ff7154760000000
// CHECK-NEXT: call <8 x float> @"llvm.floor.v8f32"
// CHECK: shl <8 x i32> %{{.*}}, <i32 23, i32 23, i32 23, i32 23, i32 23, i32 23, i32 23, i32 23>
// CHECK-NEXT: bitcast <8 x i32> %{{.*}} to <8 x float>
// sigmoid = x >= 0 ? 1 / (1 + e) : e / (1 + e), stored straight from the register:
// CHECK: %[[D:.*]] = fadd <8 x float> <float 0x3ff0000000000000, {{.*}}>, %[[E:.*]]
// CHECK-NEXT: %[[GE:.*]] = fcmp oge <8 x float> %{{.*}}, <float {{ *}}0x0,
// CHECK-NEXT: %[[P:.*]] = fdiv <8 x float> <float 0x3ff0000000000000, {{.*}}>, %[[D]]
// CHECK-NEXT: %[[N:.*]] = fdiv <8 x float> %[[E]], %[[D]]
// CHECK-NEXT: %[[SIG:.*]] = select  <8 x i1> %[[GE]], <8 x float> %[[P]], <8 x float> %[[N]]
// CHECK-NEXT: %[[PTR:.*]] = getelementptr inbounds float, float* %{{.*}}, i64 {{[0-9]+}}
// CHECK-NEXT: %[[VPTR:.*]] = bitcast float* %[[PTR]] to <8 x float>*
// CHECK-NEXT: store <8 x float> %[[SIG]], <8 x float>* %[[VPTR]]
// The other micro-kernel functions: packing A and B, the prepacked drivers and the ABI entry points.
// CHECK-DAG: define internal void @"k0.sgemm.pack_a"(
// CHECK-DAG: define void @"k0.sgemm_pack_b"(float* %{{.*}}, float* %{{.*}}) noinline
// CHECK-DAG: define void @"k0.sgemm_prepacked_range"(
// CHECK-DAG: define void @"k0.sgemm_prepacked"(
// CHECK-DAG: define void @"k0.sgemm_kernel"(i8** %{{.*}}, i64 %{{.*}}, i64 %{{.*}})
// CHECK-DAG: define void @"k0.sgemm_pack_b_kernel"(
// CHECK-DAG: declare float @"llvm.exp.f32"(float
"builtin.module"() ({
  "loop.kernel"() <{function_type = (memref<8x16xf32>, memref<16x32xf32>, memref<32xf32>, memref<8x32xf32>) -> (), sym_name = "k0"}> ({
  ^bb0(%arg0: memref<8x16xf32>, %arg1: memref<16x32xf32>, %arg2: memref<32xf32>, %arg3: memref<8x32xf32>):
    "loop.gemm"(%arg0, %arg1, %arg2, %arg3) <{blocks = array<i64: 256, 144>, extra_kinds = ["channel"], k = 16 : i64, k_unroll = 4 : i64, m = 8 : i64, n = 32 : i64, tile = array<i64: 6, 16>, vector_width = 8 : i64}> ({
    ^bb0(%arg4: f32, %arg5: f32):
      %0 = "arith.addf"(%arg4, %arg5) : (f32, f32) -> f32 loc("gemm")
      %1 = "arith.constant"() <{value = 1.000000e+00 : f32}> : () -> f32 loc("sig")
      %2 = "math.absf"(%0) : (f32) -> f32 loc("sig")
      %3 = "arith.negf"(%2) : (f32) -> f32 loc("sig")
      %4 = "math.exp"(%3) : (f32) -> f32 loc("sig")
      %5 = "arith.addf"(%1, %4) : (f32, f32) -> f32 loc("sig")
      %6 = "arith.constant"() <{value = 0.000000e+00 : f32}> : () -> f32 loc("sig")
      %7 = "arith.cmpf"(%0, %6) <{predicate = 3 : i64}> : (f32, f32) -> i1 loc("sig")
      %8 = "arith.divf"(%1, %5) : (f32, f32) -> f32 loc("sig")
      %9 = "arith.divf"(%4, %5) : (f32, f32) -> f32 loc("sig")
      %10 = "arith.select"(%7, %8, %9) : (i1, f32, f32) -> f32 loc("sig")
      "loop.yield"(%10) : (f32) -> ()
    }) : (memref<8x16xf32>, memref<16x32xf32>, memref<32xf32>, memref<8x32xf32>) -> () loc(fused["gemm", "sig"])
    "loop.return"() : () -> ()
  }) {zg.fusion_group = 0 : i64, zg.ops = ["tensor.matmul", "tensor.generic"], zg.parallel_range = 8 : i64} : () -> () loc(fused["gemm", "sig"])
}) : () -> ()
