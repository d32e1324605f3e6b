// RUN: ziggurat opt %s --pipeline "builtin.module(mixed-precision)" | filecheck %s
// The model already casts its f16 input up to f32; lowering the relu casts it back down, and the
// cast-pair pattern cancels f16 -> f32 -> f16: the relu reads %arg0 directly.
// CHECK-NOT: "graph.cast"(%arg0)
// CHECK: %[[R:.*]] = "graph.relu"(%arg0) {zg.precision = "f16"{{.*}} : (tensor<8xf16>) -> tensor<8xf16>
// CHECK-NEXT: %[[U:.*]] = "graph.cast"(%[[R]]) <{to = 1 : i64}>
// CHECK-NEXT: "func.return"(%[[U]])
"builtin.module"() ({
  "func.func"() <{function_type = (tensor<8xf16>) -> tensor<8xf32>, sym_name = "main"}> ({
  ^bb0(%arg0: tensor<8xf16>):
    %0 = "graph.cast"(%arg0) <{to = 1 : i64}> : (tensor<8xf16>) -> tensor<8xf32> loc("up")
    %1 = "graph.relu"(%0) : (tensor<8xf32>) -> tensor<8xf32> loc("relu")
    "func.return"(%1) : (tensor<8xf32>) -> ()
  }) : () -> ()
}) : () -> ()
