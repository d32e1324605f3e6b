// RUN: ziggurat opt %s --pipeline "builtin.module(canonicalize, dce)" | filecheck %s
// Patterns shape-of-static and constant-of-shape.
// CHECK-NOT: graph.shape
// CHECK-NOT: graph.constant_of_shape
// CHECK: "graph.constant"() <{value = dense<[2, 3]> : tensor<2xi64>}> {{.*}} loc("shape")
// CHECK: "graph.constant"() <{value = dense<5.000000e-01> : tensor<2x3xf32>}> {{.*}} loc("cos")
"builtin.module"() ({
  "func.func"() <{function_type = (tensor<2x3xf32>) -> (tensor<2xi64>, tensor<2x3xf32>), sym_name = "main"}> ({
  ^bb0(%arg0: tensor<2x3xf32>):
    %0 = "graph.shape"(%arg0) : (tensor<2x3xf32>) -> tensor<2xi64> loc("shape")
    %1 = "graph.constant"() <{value = dense<[2, 3]> : tensor<2xi64>}> : () -> tensor<2xi64> loc("dims")
    %2 = "graph.constant_of_shape"(%1) <{value = dense<5.000000e-01> : tensor<1xf32>}> : (tensor<2xi64>) -> tensor<2x3xf32> loc("cos")
    %3 = "graph.add"(%arg0, %2) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32> loc("add")
    "func.return"(%0, %3) : (tensor<2xi64>, tensor<2x3xf32>) -> ()
  }) : () -> ()
}) : () -> ()
