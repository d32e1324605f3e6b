// RUN: ziggurat opt %s --pipeline "builtin.module(lower-graph-to-tensor, fuse-tensor)" | filecheck %s
// An elementwise chain add -> relu -> tanh fuses into one tensor.generic: its operands are the chain's
// inputs (no intermediate tensors), its body the three scalar ops in order.
// CHECK-LABEL: "func.func"
// CHECK: %[[E:.*]] = "tensor.empty"() : () -> tensor<4x20xf32>
// CHECK-NEXT: %[[G:.*]] = "tensor.generic"(%arg0, %arg1, %[[E]]) <{indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"], operandSegmentSizes = array<i32: 2, 1>}>
// CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %[[Y:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[S:.*]] = "arith.addf"(%[[X]], %[[Y]]) {{.*}} loc("add")
// CHECK-NEXT: %[[Z:.*]] = "arith.constant"() <{value = 0.000000e+00 : f32}>
// CHECK-NEXT: %[[R:.*]] = "arith.maximumf"(%[[S]], %[[Z]]) {{.*}} loc("relu")
// CHECK-NEXT: %[[T:.*]] = "math.tanh"(%[[R]]) {{.*}} loc("tanh")
// CHECK-NEXT: "tensor.generic_yield"(%[[T]])
// CHECK-NEXT: }) : (tensor<4x20xf32>, tensor<4x20xf32>, tensor<4x20xf32>) -> tensor<4x20xf32> loc(fused["add", "relu", "tanh"])
// CHECK-NEXT: "func.return"(%[[G]])
// CHECK-NOT: "tensor.generic"
"builtin.module"() ({
  "func.func"() <{function_type = (tensor<4x20xf32>, tensor<4x20xf32>) -> tensor<4x20xf32>, sym_name = "main"}> ({
  ^bb0(%arg0: tensor<4x20xf32>, %arg1: tensor<4x20xf32>):
    %0 = "graph.add"(%arg0, %arg1) : (tensor<4x20xf32>, tensor<4x20xf32>) -> tensor<4x20xf32> loc("add")
    %1 = "graph.relu"(%0) : (tensor<4x20xf32>) -> tensor<4x20xf32> loc("relu")
    %2 = "graph.tanh"(%1) : (tensor<4x20xf32>) -> tensor<4x20xf32> loc("tanh")
    "func.return"(%2) : (tensor<4x20xf32>) -> ()
  }) : () -> ()
}) : () -> ()
