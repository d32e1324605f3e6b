// RUN: ziggurat opt %s --pipeline "builtin.module(canonicalize, dce)" | filecheck %s
// Patterns reshape-of-reshape and reshape-to-same-type.
// CHECK: ^bb0(%[[X:.*]]: tensor<2x3x4xf32>):
// CHECK-NEXT: %[[S:.*]] = "graph.constant"() <{value = dense<[4, 6]>
// CHECK-NEXT: %[[R:.*]] = "graph.reshape"(%[[X]], %[[S]])
// CHECK-NOT: graph.reshape
// CHECK: "func.return"(%[[R]], %[[X]])
"builtin.module"() ({
  "func.func"() <{function_type = (tensor<2x3x4xf32>) -> (tensor<4x6xf32>, tensor<2x3x4xf32>), sym_name = "main"}> ({
  ^bb0(%arg0: tensor<2x3x4xf32>):
    %0 = "graph.constant"() <{value = dense<[6, 4]> : tensor<2xi64>}> : () -> tensor<2xi64> loc("s1")
    %1 = "graph.reshape"(%arg0, %0) : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<6x4xf32> loc("r1")
    %2 = "graph.constant"() <{value = dense<[4, 6]> : tensor<2xi64>}> : () -> tensor<2xi64> loc("s2")
    %3 = "graph.reshape"(%1, %2) : (tensor<6x4xf32>, tensor<2xi64>) -> tensor<4x6xf32> loc("r2")
    %4 = "graph.constant"() <{value = dense<[2, 3, 4]> : tensor<3xi64>}> : () -> tensor<3xi64> loc("s3")
    %5 = "graph.reshape"(%arg0, %4) : (tensor<2x3x4xf32>, tensor<3xi64>) -> tensor<2x3x4xf32> loc("same")
    "func.return"(%3, %5) : (tensor<4x6xf32>, tensor<2x3x4xf32>) -> ()
  }) : () -> ()
}) : () -> ()
