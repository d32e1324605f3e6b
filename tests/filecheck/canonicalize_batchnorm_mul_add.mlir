// RUN: ziggurat opt %s --pipeline "builtin.module(canonicalize, dce)" | filecheck %s
// Pattern batchnorm-to-mul-add (declarative): no Conv/Gemm to fold into, so x*a + c with per-channel
// constants shaped to broadcast: a = scale/sqrt(var + 1) = [1, 0.5], c = bias - mean*a = [-1, 1].
// CHECK-NOT: graph.batch_normalization
// CHECK: %[[A:.*]] = "graph.constant"() <{value = dense<{{\[\[}}1.000000e+00], [5.000000e-01]]> : tensor<2x1xf32>}> {{.*}} loc("bn")
// CHECK-NEXT: %[[M:.*]] = "graph.mul"(%arg0, %[[A]]) : (tensor<1x2x2xf32>, tensor<2x1xf32>) -> tensor<1x2x2xf32> loc("bn")
// CHECK-NEXT: %[[C:.*]] = "graph.constant"() <{value = dense<{{\[\[}}-1.000000e+00], [1.000000e+00]]> : tensor<2x1xf32>}> {{.*}} loc("bn")
// CHECK-NEXT: %[[R:.*]] = "graph.add"(%[[M]], %[[C]]) : (tensor<1x2x2xf32>, tensor<2x1xf32>) -> tensor<1x2x2xf32> loc("bn")
// CHECK-NEXT: "func.return"(%[[R]])
"builtin.module"() ({
  "func.func"() <{function_type = (tensor<1x2x2xf32>) -> tensor<1x2x2xf32>, sym_name = "main"}> ({
  ^bb0(%arg0: tensor<1x2x2xf32>):
    %0 = "graph.constant"() <{value = dense<[1.000000e+00, 1.000000e+00]> : tensor<2xf32>}> : () -> tensor<2xf32> loc("sc")
    %1 = "graph.constant"() <{value = dense<[0.000000e+00, 1.000000e+00]> : tensor<2xf32>}> : () -> tensor<2xf32> loc("bb")
    %2 = "graph.constant"() <{value = dense<[1.000000e+00, 0.000000e+00]> : tensor<2xf32>}> : () -> tensor<2xf32> loc("mean")
    %3 = "graph.constant"() <{value = dense<[0.000000e+00, 3.000000e+00]> : tensor<2xf32>}> : () -> tensor<2xf32> loc("var")
    %4 = "graph.batch_normalization"(%arg0, %0, %1, %2, %3) <{epsilon = 1.000000e+00 : f32}> : (tensor<1x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2xf32> loc("bn")
    "func.return"(%4) : (tensor<1x2x2xf32>) -> ()
  }) : () -> ()
}) : () -> ()
