// RUN: ziggurat opt %s --pipeline "builtin.module(prepack-weights)" --elide-constants | filecheck %s
// prepack-weights: each kernel op's constant weight is repacked at compile time into its micro-kernel's
// layout, a 1-D loop.weight (conv: [F/8][C/8][3][3][8][8] zero-padded = 576 floats; gemm: 6x16-tile
// panels of B = 512 floats); the kernel's argument and function type follow and the op is marked
// `packed = true`. The bias, not a kernel weight, is left alone.
// CHECK-LABEL: "loop.kernel"() <{function_type = (memref<1x2x4x4xf32>, memref<576xf32>, memref<3xf32>, memref<1x3x4x4xf32>) -> (), sym_name = "k0"}>
// CHECK-NEXT: ^bb0(%{{.*}}: memref<1x2x4x4xf32>, %{{.*}}: memref<576xf32>, %{{.*}}: memref<3xf32>, %{{.*}}: memref<1x3x4x4xf32>):
// CHECK-NEXT: "loop.conv2d"({{.*}}) <{{{.*}} packed = true, {{.*}}vector_width = 8 : i64}>
// CHECK: }) : (memref<1x2x4x4xf32>, memref<576xf32>, memref<3xf32>, memref<1x3x4x4xf32>) -> ()
// CHECK-LABEL: "loop.kernel"() <{function_type = (memref<8x16xf32>, memref<512xf32>, memref<8x32xf32>) -> (), sym_name = "k1"}>
// CHECK: "loop.gemm"({{.*}}) <{{{.*}} packed = true, tile = array<i64: 6, 16>, vector_width = 8 : i64}>
// CHECK-LABEL: sym_name = "main"
// CHECK-NOT: memref<3x2x3x3xf32>
// CHECK-NOT: memref<16x32xf32>
// CHECK: %[[W:.*]] = "loop.weight"() <{value = dense_resource<__elided__> : tensor<576xf32>}> : () -> memref<576xf32> loc("w")
// CHECK-NEXT: %[[B:.*]] = "loop.weight"() <{value = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<3xf32>}> : () -> memref<3xf32> loc("b")
// CHECK-NEXT: "loop.call"(%arg0, %[[W]], %[[B]], %arg2) <{callee = @k0}> : (memref<1x2x4x4xf32>, memref<576xf32>, memref<3xf32>, memref<1x3x4x4xf32>) -> ()
// CHECK-NEXT: %[[W2:.*]] = "loop.weight"() <{value = dense<2.500000e-01> : tensor<512xf32>}> : () -> memref<512xf32> loc("w2")
// CHECK-NEXT: "loop.call"(%arg1, %[[W2]], %arg3) <{callee = @k1}> : (memref<8x16xf32>, memref<512xf32>, memref<8x32xf32>) -> ()
"builtin.module"() ({
  "loop.kernel"() <{function_type = (memref<1x2x4x4xf32>, memref<3x2x3x3xf32>, memref<3xf32>, memref<1x3x4x4xf32>) -> (), sym_name = "k0"}> ({
  ^bb0(%arg0: memref<1x2x4x4xf32>, %arg1: memref<3x2x3x3xf32>, %arg2: memref<3xf32>, %arg3: memref<1x3x4x4xf32>):
    "loop.conv2d"(%arg0, %arg1, %arg2, %arg3) <{dilations = array<i64: 1, 1>, extra_kinds = ["channel"], group = 1 : i64, kernel = array<i64: 3, 3>, oc_blocks = 2 : i64, oc_outer = false, ow_tile = 4 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>, vector_width = 8 : i64}> ({
    ^bb0(%arg4: f32, %arg5: f32):
      %0 = "arith.addf"(%arg4, %arg5) : (f32, f32) -> f32 loc(fused["conv", "relu"])
      %1 = "arith.constant"() <{value = 0.000000e+00 : f32}> : () -> f32 loc(fused["conv", "relu"])
      %2 = "arith.maximumf"(%0, %1) : (f32, f32) -> f32 loc(fused["conv", "relu"])
      "loop.yield"(%2) : (f32) -> ()
    }) : (memref<1x2x4x4xf32>, memref<3x2x3x3xf32>, memref<3xf32>, memref<1x3x4x4xf32>) -> () loc(fused["conv", "relu"])
    "loop.return"() : () -> ()
  }) {zg.fusion_group = 0 : i64, zg.ops = ["tensor.conv", "tensor.generic"], zg.parallel_range = 4 : i64} : () -> () loc(fused["conv", "relu"])
  "loop.kernel"() <{function_type = (memref<8x16xf32>, memref<16x32xf32>, memref<8x32xf32>) -> (), sym_name = "k1"}> ({
  ^bb0(%arg0: memref<8x16xf32>, %arg1: memref<16x32xf32>, %arg2: memref<8x32xf32>):
    "loop.gemm"(%arg0, %arg1, %arg2) <{blocks = array<i64: 256, 144>, extra_kinds = [], k = 16 : i64, k_unroll = 4 : i64, m = 8 : i64, n = 32 : i64, tile = array<i64: 6, 16>, vector_width = 8 : i64}> ({
    ^bb0(%arg3: f32):
      "loop.yield"(%arg3) : (f32) -> ()
    }) : (memref<8x16xf32>, memref<16x32xf32>, memref<8x32xf32>) -> () loc("mm")
    "loop.return"() : () -> ()
  }) {zg.ops = ["tensor.matmul"], zg.parallel_range = 8 : i64} : () -> () loc("mm")
  "func.func"() <{function_type = (memref<1x2x4x4xf32>, memref<8x16xf32>, memref<1x3x4x4xf32>, memref<8x32xf32>) -> (), sym_name = "main"}> ({
  ^bb0(%arg0: memref<1x2x4x4xf32>, %arg1: memref<8x16xf32>, %arg2: memref<1x3x4x4xf32>, %arg3: memref<8x32xf32>):
    %0 = "loop.weight"() <{value = dense<5.000000e-01> : tensor<3x2x3x3xf32>}> : () -> memref<3x2x3x3xf32> loc("w")
    %1 = "loop.weight"() <{value = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<3xf32>}> : () -> memref<3xf32> loc("b")
    "loop.call"(%arg0, %0, %1, %arg2) <{callee = @k0}> : (memref<1x2x4x4xf32>, memref<3x2x3x3xf32>, memref<3xf32>, memref<1x3x4x4xf32>) -> () loc(fused["conv", "relu"])
    %2 = "loop.weight"() <{value = dense<2.500000e-01> : tensor<16x32xf32>}> : () -> memref<16x32xf32> loc("w2")
    "loop.call"(%arg1, %2, %arg3) <{callee = @k1}> : (memref<8x16xf32>, memref<16x32xf32>, memref<8x32xf32>) -> () loc("mm")
    "func.return"() : () -> ()
  }) : () -> ()
}) : () -> ()
