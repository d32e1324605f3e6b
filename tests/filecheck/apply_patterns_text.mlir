// RUN: ziggurat opt %s --pipeline "builtin.module(apply-patterns{pattern='Relu(Sum(x, y)) -> Relu(Add(x, y))'})" | filecheck %s
// A text-form pattern given as a pass option.
// CHECK: "graph.add"(%arg0, %arg1)
// CHECK-NEXT: "graph.relu"
"builtin.module"() ({
  "func.func"() <{function_type = (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>, sym_name = "main"}> ({
  ^bb0(%arg0: tensor<3xf32>, %arg1: tensor<3xf32>):
    %0 = "graph.sum"(%arg0, %arg1) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32> loc("s")
    %1 = "graph.relu"(%0) : (tensor<3xf32>) -> tensor<3xf32>
    "func.return"(%1) : (tensor<3xf32>) -> ()
  }) : () -> ()
}) : () -> ()
