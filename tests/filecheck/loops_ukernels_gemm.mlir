// RUN: ziggurat opt %s --pipeline "builtin.module(lower-tensor-to-loops{ukernels=true target=zen3})" | filecheck %s --check-prefixes=CHECK,ZEN3
// RUN: ziggurat opt %s --pipeline "builtin.module(lower-tensor-to-loops{ukernels=true target=emerald-rapids})" | filecheck %s --check-prefixes=CHECK,EMR
// A matmul (M=8) with a per-column bias and a sigmoid epilogue -> one typed loop.gemm kernel op: the
// bias is an extra operand of kind "channel", the epilogue region takes (acc, bias) and holds the
// whole bias + sigmoid body; the schedule comes from the target: 8-lane vectors and a 6x16 register
// tile on AVX2 (zen3), 16 lanes and 14x32 on AVX-512 (emerald-rapids). The kernel's parallel range
// becomes the M rows.
// CHECK-LABEL: "loop.kernel"
// CHECK-NEXT: ^bb0(%[[X:.*]]: memref<8x16xf32>, %[[W:.*]]: memref<16x32xf32>, %[[B:.*]]: memref<32xf32>, %[[O:.*]]: memref<8x32xf32>):
// ZEN3-NEXT: "loop.gemm"(%[[X]], %[[W]], %[[B]], %[[O]]) <{blocks = array<i64: 256, 144>, extra_kinds = ["channel"], k = 16 : i64, k_unroll = 4 : i64, m = 8 : i64, n = 32 : i64, tile = array<i64: 6, 16>, vector_width = 8 : i64}> ({
// EMR-NEXT: "loop.gemm"(%[[X]], %[[W]], %[[B]], %[[O]]) <{blocks = array<i64: 256, 140>, extra_kinds = ["channel"], k = 16 : i64, k_unroll = 4 : i64, m = 8 : i64, n = 32 : i64, tile = array<i64: 14, 32>, vector_width = 16 : i64}> ({
// CHECK-NEXT: ^bb0(%[[ACC:.*]]: f32, %[[BIAS:.*]]: f32):
// CHECK-NEXT: %[[S:.*]] = "arith.addf"(%[[ACC]], %[[BIAS]])
// CHECK-NEXT: %[[ONE:.*]] = "arith.constant"() <{value = 1.000000e+00 : f32}>
// CHECK-NEXT: %[[ABS:.*]] = "math.absf"(%[[S]])
// CHECK-NEXT: %[[NEG:.*]] = "arith.negf"(%[[ABS]])
// CHECK-NEXT: %[[E:.*]] = "math.exp"(%[[NEG]])
// CHECK-NEXT: %[[D:.*]] = "arith.addf"(%[[ONE]], %[[E]])
// CHECK-NEXT: %[[Z:.*]] = "arith.constant"() <{value = 0.000000e+00 : f32}>
// CHECK-NEXT: %[[GE:.*]] = "arith.cmpf"(%[[S]], %[[Z]]) <{predicate = 3 : i64}>
// CHECK-NEXT: %[[P:.*]] = "arith.divf"(%[[ONE]], %[[D]])
// CHECK-NEXT: %[[N:.*]] = "arith.divf"(%[[E]], %[[D]])
// CHECK-NEXT: %[[SIG:.*]] = "arith.select"(%[[GE]], %[[P]], %[[N]])
// CHECK-NEXT: "loop.yield"(%[[SIG]]) : (f32) -> ()
// CHECK-NEXT: }) : (memref<8x16xf32>, memref<16x32xf32>, memref<32xf32>, memref<8x32xf32>) -> () loc(fused["gemm", "sig"])
// CHECK-NEXT: "loop.return"() : () -> ()
// CHECK-NEXT: }) {zg.fusion_group = 0 : i64, zg.ops = ["tensor.matmul", "tensor.generic"], zg.parallel_range = 8 : i64}
"builtin.module"() ({
  "loop.kernel"() <{function_type = (memref<8x16xf32>, memref<16x32xf32>, memref<32xf32>, memref<8x32xf32>) -> (), sym_name = "k0"}> ({
  ^bb0(%arg0: memref<8x16xf32>, %arg1: memref<16x32xf32>, %arg2: memref<32xf32>, %arg3: memref<8x32xf32>):
    %0 = "loop.to_tensor"(%arg0) : (memref<8x16xf32>) -> tensor<8x16xf32> loc(fused["gemm", "sig"])
    %1 = "loop.to_tensor"(%arg1) : (memref<16x32xf32>) -> tensor<16x32xf32> loc(fused["gemm", "sig"])
    %2 = "loop.to_tensor"(%arg2) : (memref<32xf32>) -> tensor<32xf32> loc(fused["gemm", "sig"])
    %3 = "tensor.empty"() : () -> tensor<8x32xf32> loc("sig")
    %4 = "tensor.matmul"(%0, %1) {zg.fusion_group = 0 : i64} : (tensor<8x16xf32>, tensor<16x32xf32>) -> tensor<8x32xf32> loc("gemm")
    %5 = "tensor.generic"(%4, %2, %3) <{indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"], operandSegmentSizes = array<i32: 2, 1>}> ({
    ^bb0(%arg4: f32, %arg5: f32, %arg6: f32):
      %6 = "arith.addf"(%arg4, %arg5) : (f32, f32) -> f32 loc("gemm")
      %7 = "arith.constant"() <{value = 1.000000e+00 : f32}> : () -> f32 loc("sig")
      %8 = "math.absf"(%6) : (f32) -> f32 loc("sig")
      %9 = "arith.negf"(%8) : (f32) -> f32 loc("sig")
      %10 = "math.exp"(%9) : (f32) -> f32 loc("sig")
      %11 = "arith.addf"(%7, %10) : (f32, f32) -> f32 loc("sig")
      %12 = "arith.constant"() <{value = 0.000000e+00 : f32}> : () -> f32 loc("sig")
      %13 = "arith.cmpf"(%6, %12) <{predicate = 3 : i64}> : (f32, f32) -> i1 loc("sig")
      %14 = "arith.divf"(%7, %11) : (f32, f32) -> f32 loc("sig")
      %15 = "arith.divf"(%10, %11) : (f32, f32) -> f32 loc("sig")
      %16 = "arith.select"(%13, %14, %15) : (i1, f32, f32) -> f32 loc("sig")
      "tensor.generic_yield"(%16) : (f32) -> ()
    }) {zg.epilogue_of = "tensor.matmul", zg.fusion_group = 0 : i64} : (tensor<8x32xf32>, tensor<32xf32>, tensor<8x32xf32>) -> tensor<8x32xf32> loc(fused["gemm", "sig"])
    "loop.materialize"(%5, %arg3) : (tensor<8x32xf32>, memref<8x32xf32>) -> () loc(fused["gemm", "sig"])
    "loop.return"() : () -> ()
  }) {zg.fusion_group = 0 : i64, zg.ops = ["tensor.matmul", "tensor.generic"], zg.parallel_range = 1 : i64} : () -> () loc(fused["gemm", "sig"])
}) : () -> ()
