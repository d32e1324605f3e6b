// RUN: ziggurat opt %s --pipeline "builtin.module(canonicalize)" | filecheck %s
// Pattern sum-of-two-to-add.
// CHECK-NOT: graph.sum
// CHECK: "graph.add"(%arg0, %arg1) {{.*}} loc("s")
"builtin.module"() ({
  "func.func"() <{function_type = (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>, sym_name = "main"}> ({
  ^bb0(%arg0: tensor<3xf32>, %arg1: tensor<3xf32>):
    %0 = "graph.sum"(%arg0, %arg1) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32> loc("s")
    "func.return"(%0) : (tensor<3xf32>) -> ()
  }) : () -> ()
}) : () -> ()
