// RUN: ziggurat opt %s --pipeline "builtin.module(canonicalize, dce)" | filecheck %s
// Pattern cast-pair: f16 -> f32 -> f16 is exact, so only the first cast stays.
// CHECK: %[[H:.*]] = "graph.cast"(%arg0) <{to = 10 : i64}>
// CHECK-NOT: graph.cast
// CHECK: "func.return"(%[[H]])
"builtin.module"() ({
  "func.func"() <{function_type = (tensor<4xf32>) -> tensor<4xf16>, sym_name = "main"}> ({
  ^bb0(%arg0: tensor<4xf32>):
    %0 = "graph.cast"(%arg0) <{to = 10 : i64}> : (tensor<4xf32>) -> tensor<4xf16> loc("c16")
    %1 = "graph.cast"(%0) <{to = 1 : i64}> : (tensor<4xf16>) -> tensor<4xf32> loc("c32")
    %2 = "graph.cast"(%1) <{to = 10 : i64}> : (tensor<4xf32>) -> tensor<4xf16> loc("back")
    "func.return"(%2) : (tensor<4xf16>) -> ()
  }) : () -> ()
}) : () -> ()
