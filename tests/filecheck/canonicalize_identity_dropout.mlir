// RUN: ziggurat opt %s --pipeline "builtin.module(canonicalize, dce)" | filecheck %s
// Patterns remove-identity and remove-dropout: both disappear, relu reads the argument.
// CHECK: ^bb0(%[[X:.*]]: tensor<2x3xf32>):
// CHECK-NOT: graph.identity
// CHECK-NOT: graph.dropout
// CHECK: "graph.relu"(%[[X]])
"builtin.module"() ({
  "func.func"() <{function_type = (tensor<2x3xf32>) -> tensor<2x3xf32>, sym_name = "main"}> ({
  ^bb0(%arg0: tensor<2x3xf32>):
    %0 = "graph.identity"(%arg0) : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("id")
    %1 = "graph.dropout"(%0) <{operandSegmentSizes = array<i32: 1, 0, 0>}> : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("drop")
    %2 = "graph.relu"(%1) : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("r")
    "func.return"(%2) : (tensor<2x3xf32>) -> ()
  }) : () -> ()
}) : () -> ()
