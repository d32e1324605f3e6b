// RUN: ziggurat opt %s --pipeline "builtin.module(lower-graph-to-tensor, fuse-tensor)" | filecheck %s
// Add + Clip(min=0, max=6): the clip's rank-0 splat constants are not generic operands any more: they are
// folded into the fused body as arith.constant, so the generic reads only the two real inputs.
// CHECK: %[[G:.*]] = "tensor.generic"(%arg0, %arg1, %{{[0-9]+}}) <{indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"], operandSegmentSizes = array<i32: 2, 1>}>
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[S:.*]] = "arith.addf"(%[[A]], %[[B]])
// CHECK-NEXT: %[[LO:.*]] = "arith.constant"() <{value = 0.000000e+00 : f32}>
// CHECK-NEXT: %[[HI:.*]] = "arith.constant"() <{value = 6.000000e+00 : f32}>
// CHECK-NEXT: %[[MX:.*]] = "arith.maximumf"(%[[S]], %[[LO]]) {{.*}} loc("clip")
// CHECK-NEXT: %[[MN:.*]] = "arith.minimumf"(%[[MX]], %[[HI]]) {{.*}} loc("clip")
// CHECK-NEXT: "tensor.generic_yield"(%[[MN]])
// CHECK-NEXT: }) : (tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32> loc(fused["add", "clip"])
// CHECK-NOT: "tensor.generic"
"builtin.module"() ({
  "func.func"() <{function_type = (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>, sym_name = "main"}> ({
  ^bb0(%arg0: tensor<2x8xf32>, %arg1: tensor<2x8xf32>):
    %0 = "graph.add"(%arg0, %arg1) : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32> loc("add")
    %1 = "graph.constant"() <{value = dense<0.000000e+00> : tensor<f32>}> : () -> tensor<f32> loc("lo")
    %2 = "graph.constant"() <{value = dense<6.000000e+00> : tensor<f32>}> : () -> tensor<f32> loc("hi")
    %3 = "graph.clip"(%0, %1, %2) <{operandSegmentSizes = array<i32: 1, 1, 1>}> : (tensor<2x8xf32>, tensor<f32>, tensor<f32>) -> tensor<2x8xf32> loc("clip")
    "func.return"(%3) : (tensor<2x8xf32>) -> ()
  }) : () -> ()
}) : () -> ()
