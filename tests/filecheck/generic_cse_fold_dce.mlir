// RUN: ziggurat opt %s --pipeline "builtin.module(cse, fold-constants, dce)" | filecheck %s
// cse merges the relus (provenance of both), fold-constants evaluates kadd, dce drops tanh.
// CHECK: %[[R:.*]] = "graph.relu"(%arg0) {{.*}} loc(fused["a", "b"])
// CHECK-NOT: graph.tanh
// CHECK: "graph.constant"() <{value = dense<[2.000000e+00, 3.000000e+00, 4.000000e+00]> {{.*}} loc("kadd")
// CHECK: "graph.add"(%[[R]], %[[R]])
"builtin.module"() ({
  "func.func"() <{function_type = (tensor<3xf32>) -> tensor<3xf32>, sym_name = "main"}> ({
  ^bb0(%arg0: tensor<3xf32>):
    %0 = "graph.relu"(%arg0) : (tensor<3xf32>) -> tensor<3xf32> loc("a")
    %1 = "graph.relu"(%arg0) : (tensor<3xf32>) -> tensor<3xf32> loc("b")
    %2 = "graph.tanh"(%arg0) : (tensor<3xf32>) -> tensor<3xf32> loc("dead")
    %3 = "graph.constant"() <{value = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<3xf32>}> : () -> tensor<3xf32> loc("k1")
    %4 = "graph.constant"() <{value = dense<1.000000e+00> : tensor<3xf32>}> : () -> tensor<3xf32> loc("k2")
    %5 = "graph.add"(%3, %4) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32> loc("kadd")
    %6 = "graph.add"(%0, %1) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32> loc("s")
    %7 = "graph.add"(%6, %5) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32> loc("out")
    "func.return"(%7) : (tensor<3xf32>) -> ()
  }) : () -> ()
}) : () -> ()
