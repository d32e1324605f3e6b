// RUN: ziggurat opt %s --pipeline "builtin.module(lower-graph-to-tensor)" | filecheck %s
// Data movement: Reshape with a constant shape and Flatten -> tensor.reshape_static (the shape operand
// is dropped), Transpose -> tensor.transpose (same perm), Concat -> tensor.concatenate on the same dim.
// CHECK-NOT: graph.reshape
// CHECK-NOT: graph.transpose
// CHECK-NOT: graph.concat
// CHECK-NOT: graph.flatten
// CHECK: %[[R:.*]] = "tensor.reshape_static"(%arg0) : (tensor<2x3x4xf32>) -> tensor<6x4xf32> loc("reshape")
// CHECK-NEXT: %[[T:.*]] = "tensor.transpose"(%arg0) <{perm = array<i64: 2, 0, 1>}> : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32> loc("transpose")
// CHECK-NEXT: %[[C:.*]] = "tensor.concatenate"(%arg0, %arg1) <{dim = 1 : i64}> : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x6x4xf32> loc("concat")
// CHECK-NEXT: %[[F:.*]] = "tensor.reshape_static"(%arg1) : (tensor<2x3x4xf32>) -> tensor<2x12xf32> loc("flatten")
// CHECK-NEXT: "func.return"(%[[R]], %[[T]], %[[C]], %[[F]])
"builtin.module"() ({
  "func.func"() <{function_type = (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> (tensor<6x4xf32>, tensor<4x2x3xf32>, tensor<2x6x4xf32>, tensor<2x12xf32>), sym_name = "main"}> ({
  ^bb0(%arg0: tensor<2x3x4xf32>, %arg1: tensor<2x3x4xf32>):
    %0 = "graph.constant"() <{value = dense<[6, 4]> : tensor<2xi64>}> : () -> tensor<2xi64> loc("shape")
    %1 = "graph.reshape"(%arg0, %0) : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<6x4xf32> loc("reshape")
    %2 = "graph.transpose"(%arg0) <{perm = array<i64: 2, 0, 1>}> : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32> loc("transpose")
    %3 = "graph.concat"(%arg0, %arg1) <{axis = 1 : i64}> : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x6x4xf32> loc("concat")
    %4 = "graph.flatten"(%arg1) : (tensor<2x3x4xf32>) -> tensor<2x12xf32> loc("flatten")
    "func.return"(%1, %2, %3, %4) : (tensor<6x4xf32>, tensor<4x2x3xf32>, tensor<2x6x4xf32>, tensor<2x12xf32>) -> ()
  }) : () -> ()
}) : () -> ()
