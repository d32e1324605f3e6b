// RUN: ziggurat opt %s --pipeline "builtin.module(canonicalize, dce)" | filecheck %s
// Pattern fold-batchnorm-into-conv: a = scale/sqrt(var), bias = B - mean*a = [0.5, -1].
// CHECK-NOT: graph.batch_normalization
// CHECK: %[[B:.*]] = "graph.constant"() <{value = dense<[5.000000e-01, -1.000000e+00]> : tensor<2xf32>}>
// CHECK: %[[C:.*]] = "graph.conv"(%arg0, %{{.*}}, %[[B]]) {{.*}} loc(fused["conv", "bn"])
// CHECK: "graph.relu"(%[[C]])
"builtin.module"() ({
  "func.func"() <{function_type = (tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>, sym_name = "main"}> ({
  ^bb0(%arg0: tensor<1x2x3x3xf32>):
    %0 = "graph.constant"() <{value = dense<[[[[-6.500000e-01]], [[-1.700000e-01]]], [[[1.660000e+00]], [[6.600000e-01]]]]> : tensor<2x2x1x1xf32>}> : () -> tensor<2x2x1x1xf32> loc("w")
    %1 = "graph.conv"(%arg0, %0) : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32> loc("conv")
    %2 = "graph.constant"() <{value = dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>}> : () -> tensor<2xf32> loc("sc")
    %3 = "graph.constant"() <{value = dense<[5.000000e-01, 0.000000e+00]> : tensor<2xf32>}> : () -> tensor<2xf32> loc("bb")
    %4 = "graph.constant"() <{value = dense<[0.000000e+00, 1.000000e+00]> : tensor<2xf32>}> : () -> tensor<2xf32> loc("mean")
    %5 = "graph.constant"() <{value = dense<[1.000000e+00, 4.000000e+00]> : tensor<2xf32>}> : () -> tensor<2xf32> loc("var")
    %6 = "graph.batch_normalization"(%1, %2, %3, %4, %5) <{epsilon = 0.000000e+00 : f32}> : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32> loc("bn")
    %7 = "graph.relu"(%6) : (tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> loc("relu")
    "func.return"(%7) : (tensor<1x2x3x3xf32>) -> ()
  }) : () -> ()
}) : () -> ()
