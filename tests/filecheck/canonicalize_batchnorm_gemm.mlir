// RUN: ziggurat opt %s --pipeline "builtin.module(canonicalize, dce)" | filecheck %s
// Pattern fold-batchnorm-into-gemm-bias (declarative: the constraint computes B*a and beta*C*a + c):
// a = scale/sqrt(var) = [2, 1], c = bias - mean*a = [0, 1]; B*a = [[2, 0], [0, 1]]; 0.5*C*a + c = [1, 2].
// CHECK-NOT: graph.batch_normalization
// CHECK: %[[W:.*]] = "graph.constant"() <{value = dense<{{\[\[}}2.000000e+00, 0.000000e+00], [0.000000e+00, 1.000000e+00]]> : tensor<2x2xf32>}> {{.*}} loc("w")
// CHECK-NEXT: %[[C:.*]] = "graph.constant"() <{value = dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>}> {{.*}} loc(fused["gemm", "bn"])
// CHECK-NEXT: %[[G:.*]] = "graph.gemm"(%arg0, %[[W]], %[[C]]) <{alpha = 1.000000e+00 : f32, beta = 1.000000e+00 : f32, transA = 0 : i64, transB = 0 : i64}> {{.*}} loc(fused["gemm", "bn"])
// CHECK-NEXT: "func.return"(%[[G]])
"builtin.module"() ({
  "func.func"() <{function_type = (tensor<3x2xf32>) -> tensor<3x2xf32>, sym_name = "main"}> ({
  ^bb0(%arg0: tensor<3x2xf32>):
    %0 = "graph.constant"() <{value = dense<[[1.000000e+00, 0.000000e+00], [0.000000e+00, 1.000000e+00]]> : tensor<2x2xf32>}> : () -> tensor<2x2xf32> loc("w")
    %1 = "graph.constant"() <{value = dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>}> : () -> tensor<2xf32> loc("c")
    %2 = "graph.gemm"(%arg0, %0, %1) <{beta = 5.000000e-01 : f32}> : (tensor<3x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<3x2xf32> loc("gemm")
    %3 = "graph.constant"() <{value = dense<[2.000000e+00, 1.000000e+00]> : tensor<2xf32>}> : () -> tensor<2xf32> loc("sc")
    %4 = "graph.constant"() <{value = dense<[0.000000e+00, 1.000000e+00]> : tensor<2xf32>}> : () -> tensor<2xf32> loc("bb")
    %5 = "graph.constant"() <{value = dense<[0.000000e+00, 0.000000e+00]> : tensor<2xf32>}> : () -> tensor<2xf32> loc("mean")
    %6 = "graph.constant"() <{value = dense<[1.000000e+00, 1.000000e+00]> : tensor<2xf32>}> : () -> tensor<2xf32> loc("var")
    %7 = "graph.batch_normalization"(%2, %3, %4, %5, %6) <{epsilon = 0.000000e+00 : f32}> : (tensor<3x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<3x2xf32> loc("bn")
    "func.return"(%7) : (tensor<3x2xf32>) -> ()
  }) : () -> ()
}) : () -> ()
