// RUN: ziggurat opt %s --pipeline "builtin.module(lower-graph-to-tensor)" | filecheck %s
// graph.conv with a bias -> tensor.conv (every window attribute explicit, the bias dropped from it) and
// a tensor.generic that adds the bias per output channel (map (d0, d1, d2, d3) -> (d1)); the relu -> its
// own generic (max with 0). Provenance names the ONNX nodes.
// CHECK-NOT: graph.conv
// CHECK: %[[W:.*]] = "graph.constant"() <{value = dense<5.000000e-01> : tensor<3x2x3x3xf32>}>
// CHECK-NEXT: %[[B:.*]] = "graph.constant"() <{value = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<3xf32>}>
// CHECK-NEXT: %[[C:.*]] = "tensor.conv"(%arg0, %[[W]]) <{dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}> : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32> loc("conv")
// CHECK-NEXT: %[[E:.*]] = "tensor.empty"() : () -> tensor<1x3x3x3xf32>
// CHECK-NEXT: %[[BIAS:.*]] = "tensor.generic"(%[[C]], %[[B]], %[[E]]) <{indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]
// CHECK-NEXT: ^bb0(%[[A0:.*]]: f32, %[[A1:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[S:.*]] = "arith.addf"(%[[A0]], %[[A1]])
// CHECK-NEXT: "tensor.generic_yield"(%[[S]])
// CHECK: loc("conv")
// CHECK: %[[R:.*]] = "tensor.generic"(%[[BIAS]], %{{.*}})
// CHECK: "arith.maximumf"
// CHECK: loc("relu")
// CHECK: "func.return"(%[[R]])
"builtin.module"() ({
  "func.func"() <{function_type = (tensor<1x2x5x5xf32>) -> tensor<1x3x3x3xf32>, sym_name = "main"}> ({
  ^bb0(%arg0: tensor<1x2x5x5xf32>):
    %0 = "graph.constant"() <{value = dense<5.000000e-01> : tensor<3x2x3x3xf32>}> : () -> tensor<3x2x3x3xf32> loc("w")
    %1 = "graph.constant"() <{value = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<3xf32>}> : () -> tensor<3xf32> loc("b")
    %2 = "graph.conv"(%arg0, %0, %1) <{pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}> : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<1x3x3x3xf32> loc("conv")
    %3 = "graph.relu"(%2) : (tensor<1x3x3x3xf32>) -> tensor<1x3x3x3xf32> loc("relu")
    "func.return"(%3) : (tensor<1x3x3x3xf32>) -> ()
  }) : () -> ()
}) : () -> ()
