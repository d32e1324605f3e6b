// RUN: ziggurat opt %s --pipeline "builtin.module(lower-tensor-to-loops{ukernels=true target=zen3})" | filecheck %s --check-prefixes=CHECK,ZEN3
// RUN: ziggurat opt %s --pipeline "builtin.module(lower-tensor-to-loops{ukernels=true target=emerald-rapids})" | filecheck %s --check-prefixes=CHECK,EMR
// A one-row matmul (M=1) with a residual add and relu -> loop.gemv (not loop.gemm): the residual is an
// extra of kind "full" (one value per output element); panels of up to 4 vectors, no wider than N: 32
// columns at 8 lanes (zen3), and 32 (two vectors, N = 32) at 16 lanes (emerald-rapids).
// CHECK-NOT: "loop.gemm"
// CHECK-NOT: "tensor.matmul"
// ZEN3: "loop.gemv"(%arg0, %arg1, %arg2, %arg3) <{acc_sets = 2 : i64, extra_kinds = ["full"], k = 16 : i64, k_unroll = 4 : i64, n = 32 : i64, panel = 32 : i64, vector_width = 8 : i64}> ({
// EMR: "loop.gemv"(%arg0, %arg1, %arg2, %arg3) <{acc_sets = 2 : i64, extra_kinds = ["full"], k = 16 : i64, k_unroll = 4 : i64, n = 32 : i64, panel = 32 : i64, vector_width = 16 : i64}> ({
// CHECK-NEXT: ^bb0(%[[ACC:.*]]: f32, %[[RES:.*]]: f32):
// CHECK-NEXT: %[[S:.*]] = "arith.addf"(%[[ACC]], %[[RES]])
// CHECK-NEXT: %[[Z:.*]] = "arith.constant"() <{value = 0.000000e+00 : f32}>
// CHECK-NEXT: %[[R:.*]] = "arith.maximumf"(%[[S]], %[[Z]])
// CHECK-NEXT: "loop.yield"(%[[R]]) : (f32) -> ()
// CHECK-NEXT: }) : (memref<1x16xf32>, memref<16x32xf32>, memref<1x32xf32>, memref<1x32xf32>) -> ()
// CHECK-NEXT: "loop.return"
"builtin.module"() ({
  "loop.kernel"() <{function_type = (memref<1x16xf32>, memref<16x32xf32>, memref<1x32xf32>, memref<1x32xf32>) -> (), sym_name = "k1"}> ({
  ^bb0(%arg0: memref<1x16xf32>, %arg1: memref<16x32xf32>, %arg2: memref<1x32xf32>, %arg3: memref<1x32xf32>):
    %0 = "loop.to_tensor"(%arg0) : (memref<1x16xf32>) -> tensor<1x16xf32> loc(fused["gemv", "res", "relu"])
    %1 = "loop.to_tensor"(%arg1) : (memref<16x32xf32>) -> tensor<16x32xf32> loc(fused["gemv", "res", "relu"])
    %2 = "loop.to_tensor"(%arg2) : (memref<1x32xf32>) -> tensor<1x32xf32> loc(fused["gemv", "res", "relu"])
    %3 = "tensor.empty"() : () -> tensor<1x32xf32> loc("relu")
    %4 = "tensor.matmul"(%0, %1) {zg.fusion_group = 1 : i64} : (tensor<1x16xf32>, tensor<16x32xf32>) -> tensor<1x32xf32> loc("gemv")
    %5 = "tensor.generic"(%4, %2, %3) <{indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"], operandSegmentSizes = array<i32: 2, 1>}> ({
    ^bb0(%arg4: f32, %arg5: f32, %arg6: f32):
      %6 = "arith.addf"(%arg4, %arg5) : (f32, f32) -> f32 loc(fused["res", "relu"])
      %7 = "arith.constant"() <{value = 0.000000e+00 : f32}> : () -> f32 loc(fused["res", "relu"])
      %8 = "arith.maximumf"(%6, %7) : (f32, f32) -> f32 loc(fused["res", "relu"])
      "tensor.generic_yield"(%8) : (f32) -> ()
    }) {zg.epilogue_of = "tensor.matmul", zg.fusion_group = 1 : i64} : (tensor<1x32xf32>, tensor<1x32xf32>, tensor<1x32xf32>) -> tensor<1x32xf32> loc(fused["res", "relu"])
    "loop.materialize"(%5, %arg3) : (tensor<1x32xf32>, memref<1x32xf32>) -> () loc(fused["gemv", "res", "relu"])
    "loop.return"() : () -> ()
  }) {zg.fusion_group = 1 : i64, zg.ops = ["tensor.matmul", "tensor.generic"], zg.parallel_range = 1 : i64} : () -> () loc(fused["gemv", "res", "relu"])
}) : () -> ()
