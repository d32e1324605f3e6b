// RUN: ziggurat opt %s --pipeline "builtin.module(lower-graph-to-tensor, fuse-tensor)" | filecheck %s
// SiLU, x * sigmoid(x): the two generics read %arg0 twice; fused, the generic has ONE input (x is read
// once) and the body's block argument feeds both the sigmoid and the final multiply.
// CHECK: %[[G:.*]] = "tensor.generic"(%arg0, %{{[0-9]+}}) <{indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"], operandSegmentSizes = array<i32: 1, 1>}>
// CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK: "math.absf"(%[[X]])
// CHECK: "math.exp"
// CHECK: "arith.cmpf"(%[[X]],
// CHECK: %[[SIG:.*]] = "arith.select"
// CHECK-NEXT: %[[Y:.*]] = "arith.mulf"(%[[X]], %[[SIG]]) {{.*}} loc("mul")
// CHECK-NEXT: "tensor.generic_yield"(%[[Y]])
// CHECK: loc(fused["sig", "mul"])
// CHECK-NEXT: "func.return"(%[[G]])
// CHECK-NOT: "tensor.generic"
"builtin.module"() ({
  "func.func"() <{function_type = (tensor<2x8xf32>) -> tensor<2x8xf32>, sym_name = "main"}> ({
  ^bb0(%arg0: tensor<2x8xf32>):
    %0 = "graph.sigmoid"(%arg0) : (tensor<2x8xf32>) -> tensor<2x8xf32> loc("sig")
    %1 = "graph.mul"(%arg0, %0) : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32> loc("mul")
    "func.return"(%1) : (tensor<2x8xf32>) -> ()
  }) : () -> ()
}) : () -> ()
