// RUN: ziggurat opt %s --pipeline "builtin.module(lower-graph-to-tensor, fuse-tensor)" | filecheck %s
// Epilogue attachment: the gemm's bias generic and the relu merge into one generic tagged as the
// matmul's epilogue (zg.epilogue_of, same zg.fusion_group as the matmul); a conv's residual add
// becomes the conv's epilogue (group 1), reading the residual with the output's map.
// CHECK: %[[MM:.*]] = "tensor.matmul"(%arg0, %{{.*}}) {zg.fusion_group = 0 : i64}
// CHECK: %[[EP:.*]] = "tensor.generic"(%[[MM]], %[[B:[0-9]+]], %{{[0-9]+}}) <{indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>]
// CHECK-NEXT: ^bb0(%[[ACC:.*]]: f32, %[[BIAS:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[S:.*]] = "arith.addf"(%[[ACC]], %[[BIAS]])
// CHECK-NEXT: %[[Z:.*]] = "arith.constant"() <{value = 0.000000e+00 : f32}>
// CHECK-NEXT: %[[R:.*]] = "arith.maximumf"(%[[S]], %[[Z]])
// CHECK-NEXT: "tensor.generic_yield"(%[[R]])
// CHECK-NEXT: }) {zg.epilogue_of = "tensor.matmul", zg.fusion_group = 0 : i64} {{.*}} loc(fused["gemm", "relu"])
// CHECK: %[[CV:.*]] = "tensor.conv"(%arg1, %{{.*}}) <{{.*}}> {zg.fusion_group = 1 : i64}
// CHECK: %[[RES:.*]] = "tensor.generic"(%[[CV]], %arg2, %{{[0-9]+}}) <{indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>]
// CHECK: "arith.addf"
// CHECK: }) {zg.epilogue_of = "tensor.conv", zg.fusion_group = 1 : i64}
// CHECK: "func.return"(%[[EP]], %[[RES]])
"builtin.module"() ({
  "func.func"() <{function_type = (tensor<4x8xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> (tensor<4x16xf32>, tensor<1x2x4x4xf32>), sym_name = "main"}> ({
  ^bb0(%arg0: tensor<4x8xf32>, %arg1: tensor<1x2x4x4xf32>, %arg2: tensor<1x2x4x4xf32>):
    %0 = "graph.constant"() <{value = dense<1.250000e-01> : tensor<8x16xf32>}> : () -> tensor<8x16xf32> loc("w")
    %1 = "graph.constant"() <{value = dense<[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0]> : tensor<16xf32>}> : () -> tensor<16xf32> loc("b")
    %2 = "graph.gemm"(%arg0, %0, %1) : (tensor<4x8xf32>, tensor<8x16xf32>, tensor<16xf32>) -> tensor<4x16xf32> loc("gemm")
    %3 = "graph.relu"(%2) : (tensor<4x16xf32>) -> tensor<4x16xf32> loc("relu")
    %4 = "graph.constant"() <{value = dense<2.500000e-01> : tensor<2x2x1x1xf32>}> : () -> tensor<2x2x1x1xf32> loc("cw")
    %5 = "graph.conv"(%arg1, %4) : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("conv")
    %6 = "graph.add"(%5, %arg2) : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("res")
    "func.return"(%3, %6) : (tensor<4x16xf32>, tensor<1x2x4x4xf32>) -> ()
  }) : () -> ()
}) : () -> ()
