// RUN: ziggurat opt %s --pipeline "builtin.module(lower-tensor-to-loops{ukernels=true target=zen3})" | filecheck %s --check-prefixes=CHECK,ZEN3
// RUN: ziggurat opt %s --pipeline "builtin.module(lower-tensor-to-loops{ukernels=true target=emerald-rapids})" | filecheck %s --check-prefixes=CHECK,EMR
// A 3x3 conv with a per-channel bias and relu -> loop.conv2d: window attributes carried over, the bias
// an extra of kind "channel", the epilogue region (acc, bias) -> max(acc + bias, 0); 4 output pixels x
// 2 channel blocks, each block one vector: 8 lanes on zen3, 16 on emerald-rapids. The kernel's
// parallel range becomes N*OH = 4 output rows.
// CHECK-LABEL: "loop.kernel"
// CHECK-NOT: "tensor.conv"
// ZEN3: "loop.conv2d"(%arg0, %arg1, %arg2, %arg3) <{dilations = array<i64: 1, 1>, extra_kinds = ["channel"], group = 1 : i64, kernel = array<i64: 3, 3>, oc_blocks = 2 : i64, oc_outer = false, ow_tile = 4 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>, vector_width = 8 : i64}> ({
// EMR: "loop.conv2d"(%arg0, %arg1, %arg2, %arg3) <{dilations = array<i64: 1, 1>, extra_kinds = ["channel"], group = 1 : i64, kernel = array<i64: 3, 3>, oc_blocks = 2 : i64, oc_outer = false, ow_tile = 4 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>, vector_width = 16 : i64}> ({
// CHECK-NEXT: ^bb0(%[[ACC:.*]]: f32, %[[B:.*]]: f32):
// CHECK-NEXT: %[[S:.*]] = "arith.addf"(%[[ACC]], %[[B]])
// CHECK-NEXT: %[[Z:.*]] = "arith.constant"() <{value = 0.000000e+00 : f32}>
// CHECK-NEXT: %[[R:.*]] = "arith.maximumf"(%[[S]], %[[Z]])
// CHECK-NEXT: "loop.yield"(%[[R]]) : (f32) -> ()
// CHECK-NEXT: }) : (memref<1x16x4x4xf32>, memref<16x16x3x3xf32>, memref<16xf32>, memref<1x16x4x4xf32>) -> () loc(fused["conv", "relu"])
// CHECK-NEXT: "loop.return"() : () -> ()
// CHECK-NEXT: }) {zg.fusion_group = 0 : i64, zg.ops = ["tensor.conv", "tensor.generic"], zg.parallel_range = 4 : i64}
// The host function is unchanged: the weights stay 4-D (prepack-weights packs them).
// CHECK: "loop.weight"() <{value = dense<5.000000e-01> : tensor<16x16x3x3xf32>}> : () -> memref<16x16x3x3xf32>
// CHECK: "loop.call"(%arg0, %{{.*}}, %{{.*}}, %arg1) <{callee = @k0}>
"builtin.module"() ({
  "loop.kernel"() <{function_type = (memref<1x16x4x4xf32>, memref<16x16x3x3xf32>, memref<16xf32>, memref<1x16x4x4xf32>) -> (), sym_name = "k0"}> ({
  ^bb0(%arg0: memref<1x16x4x4xf32>, %arg1: memref<16x16x3x3xf32>, %arg2: memref<16xf32>, %arg3: memref<1x16x4x4xf32>):
    %0 = "loop.to_tensor"(%arg0) : (memref<1x16x4x4xf32>) -> tensor<1x16x4x4xf32> loc(fused["conv", "relu"])
    %1 = "loop.to_tensor"(%arg1) : (memref<16x16x3x3xf32>) -> tensor<16x16x3x3xf32> loc(fused["conv", "relu"])
    %2 = "loop.to_tensor"(%arg2) : (memref<16xf32>) -> tensor<16xf32> loc(fused["conv", "relu"])
    %3 = "tensor.empty"() : () -> tensor<1x16x4x4xf32> loc("relu")
    %4 = "tensor.conv"(%0, %1) <{dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}> {zg.fusion_group = 0 : i64} : (tensor<1x16x4x4xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x4x4xf32> loc("conv")
    %5 = "tensor.generic"(%4, %2, %3) <{indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"], operandSegmentSizes = array<i32: 2, 1>}> ({
    ^bb0(%arg4: f32, %arg5: f32, %arg6: f32):
      %6 = "arith.addf"(%arg4, %arg5) : (f32, f32) -> f32 loc(fused["conv", "relu"])
      %7 = "arith.constant"() <{value = 0.000000e+00 : f32}> : () -> f32 loc(fused["conv", "relu"])
      %8 = "arith.maximumf"(%6, %7) : (f32, f32) -> f32 loc(fused["conv", "relu"])
      "tensor.generic_yield"(%8) : (f32) -> ()
    }) {zg.epilogue_of = "tensor.conv", zg.fusion_group = 0 : i64} : (tensor<1x16x4x4xf32>, tensor<16xf32>, tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32> loc(fused["conv", "relu"])
    "loop.materialize"(%5, %arg3) : (tensor<1x16x4x4xf32>, memref<1x16x4x4xf32>) -> () loc(fused["conv", "relu"])
    "loop.return"() : () -> ()
  }) {zg.fusion_group = 0 : i64, zg.ops = ["tensor.conv", "tensor.generic"], zg.parallel_range = 1 : i64} : () -> () loc(fused["conv", "relu"])
  "func.func"() <{function_type = (memref<1x16x4x4xf32>, memref<1x16x4x4xf32>) -> (), sym_name = "main"}> ({
  ^bb0(%arg0: memref<1x16x4x4xf32>, %arg1: memref<1x16x4x4xf32>):
    %0 = "loop.weight"() <{value = dense<5.000000e-01> : tensor<16x16x3x3xf32>}> : () -> memref<16x16x3x3xf32> loc("w")
    %1 = "loop.weight"() <{value = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00, 7.000000e+00, 8.000000e+00, 9.000000e+00, 1.000000e+01, 1.100000e+01, 1.200000e+01, 1.300000e+01, 1.400000e+01, 1.500000e+01, 1.600000e+01]> : tensor<16xf32>}> : () -> memref<16xf32> loc("b")
    "loop.call"(%arg0, %0, %1, %arg1) <{callee = @k0}> : (memref<1x16x4x4xf32>, memref<16x16x3x3xf32>, memref<16xf32>, memref<1x16x4x4xf32>) -> () loc(fused["conv", "relu"])
    "func.return"() : () -> ()
  }) : () -> ()
}) : () -> ()
