// RUN: ziggurat opt %s --pipeline "builtin.module(canonicalize, dce)" | filecheck %s
// Pattern transpose-of-transpose: an inverse pair cancels, two rotations compose into one.
// CHECK: ^bb0(%[[X:.*]]: tensor<2x3x4xf32>):
// CHECK-NEXT: %[[T:.*]] = "graph.transpose"(%[[X]]) <{perm = array<i64: 2, 0, 1>}>
// CHECK-SAME: loc(fused["t3", "t4"])
// CHECK-NEXT: "func.return"(%[[X]], %[[T]])
"builtin.module"() ({
  "func.func"() <{function_type = (tensor<2x3x4xf32>) -> (tensor<2x3x4xf32>, tensor<4x2x3xf32>), sym_name = "main"}> ({
  ^bb0(%arg0: tensor<2x3x4xf32>):
    %0 = "graph.transpose"(%arg0) <{perm = array<i64: 1, 0, 2>}> : (tensor<2x3x4xf32>) -> tensor<3x2x4xf32> loc("t1")
    %1 = "graph.transpose"(%0) <{perm = array<i64: 1, 0, 2>}> : (tensor<3x2x4xf32>) -> tensor<2x3x4xf32> loc("t2")
    %2 = "graph.transpose"(%arg0) <{perm = array<i64: 1, 2, 0>}> : (tensor<2x3x4xf32>) -> tensor<3x4x2xf32> loc("t3")
    %3 = "graph.transpose"(%2) <{perm = array<i64: 1, 2, 0>}> : (tensor<3x4x2xf32>) -> tensor<4x2x3xf32> loc("t4")
    "func.return"(%1, %3) : (tensor<2x3x4xf32>, tensor<4x2x3xf32>) -> ()
  }) : () -> ()
}) : () -> ()
