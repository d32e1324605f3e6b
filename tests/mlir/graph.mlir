// Graph level: a constant, an add and a relu (with ONNX provenance as locations).
"builtin.module"() ({
  "func.func"() <{function_type = (tensor<2x3xf32>) -> tensor<2x3xf32>, sym_name = "main"}> ({
  ^bb0(%arg0: tensor<2x3xf32>):
    %0 = "graph.constant"() <{value = dense<[[1.000000e+00, -2.000000e+00, 3.000000e+00], [-4.000000e+00, 5.000000e-01, 0.000000e+00]]> : tensor<2x3xf32>}> : () -> tensor<2x3xf32> loc("bias")
    %1 = "graph.add"(%arg0, %0) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32> loc("Add_0")
    %2 = "graph.relu"(%1) : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("Relu_1")
    "func.return"(%2) : (tensor<2x3xf32>) -> ()
  }) : () -> ()
}) : () -> ()
