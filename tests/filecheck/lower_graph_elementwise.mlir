// RUN: ziggurat opt %s --pipeline "builtin.module(lower-graph-to-tensor)" | filecheck %s
// Elementwise ops -> one tensor.generic each (not fused yet): a broadcasting Mul reads its 1-D operand
// through the map (d0, d1) -> (d1); Neg and Exp are unary generics with identity maps.
// CHECK-NOT: graph.
// CHECK: %[[E0:.*]] = "tensor.empty"() : () -> tensor<2x3xf32> loc("mul")
// CHECK-NEXT: %[[MUL:.*]] = "tensor.generic"(%arg0, %arg1, %[[E0]]) <{indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"], operandSegmentSizes = array<i32: 2, 1>}>
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[M:.*]] = "arith.mulf"(%[[A]], %[[B]]) : (f32, f32) -> f32 loc("mul")
// CHECK-NEXT: "tensor.generic_yield"(%[[M]]) : (f32) -> ()
// CHECK: %[[NEG:.*]] = "tensor.generic"(%[[MUL]], %{{.*}}) <{indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"], operandSegmentSizes = array<i32: 1, 1>}>
// CHECK: "arith.negf"
// CHECK-SAME: loc("neg")
// CHECK: %[[EXP:.*]] = "tensor.generic"(%[[NEG]], %{{.*}})
// CHECK: "math.exp"
// CHECK-SAME: loc("exp")
// CHECK: "func.return"(%[[EXP]])
"builtin.module"() ({
  "func.func"() <{function_type = (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>, sym_name = "main"}> ({
  ^bb0(%arg0: tensor<2x3xf32>, %arg1: tensor<3xf32>):
    %0 = "graph.mul"(%arg0, %arg1) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32> loc("mul")
    %1 = "graph.neg"(%0) : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("neg")
    %2 = "graph.exp"(%1) : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("exp")
    "func.return"(%2) : (tensor<2x3xf32>) -> ()
  }) : () -> ()
}) : () -> ()
