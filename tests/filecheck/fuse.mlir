// RUN: ziggurat opt %s --pipeline "builtin.module(fuse)" | filecheck %s
// conv + residual add + relu become one graph.fused; sigmoid + tanh an elementwise one.
// CHECK: %[[F:.*]] = "graph.fused"(%arg0, {{.*}}) <{kind = "conv_add_relu"}>
// CHECK: "graph.conv"
// CHECK-NEXT: "graph.add"
// CHECK-NEXT: "graph.relu"
// CHECK-NEXT: "graph.yield"
// CHECK: loc(fused["conv", "res", "relu"])
// CHECK: "graph.fused"(%[[F]]) <{kind = "elementwise"}>
// CHECK: loc(fused["sig", "tanh"])
"builtin.module"() ({
  "func.func"() <{function_type = (tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>, sym_name = "main"}> ({
  ^bb0(%arg0: tensor<1x2x3x3xf32>):
    %0 = "graph.constant"() <{value = dense<[[[[-6.500000e-01]], [[-1.700000e-01]]], [[[1.660000e+00]], [[6.600000e-01]]]]> : tensor<2x2x1x1xf32>}> : () -> tensor<2x2x1x1xf32> loc("w")
    %1 = "graph.constant"() <{value = dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>}> : () -> tensor<2xf32> loc("b")
    %2 = "graph.conv"(%arg0, %0, %1) : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32> loc("conv")
    %3 = "graph.constant"() <{value = dense_resource<cst> : tensor<2x2x3x3xf32>}> : () -> tensor<2x2x3x3xf32> loc("w2")
    %4 = "graph.conv"(%arg0, %3) <{pads = array<i64: 1, 1, 1, 1>}> : (tensor<1x2x3x3xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x3x3xf32> loc("conv2")
    %5 = "graph.add"(%2, %4) : (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> loc("res")
    %6 = "graph.relu"(%5) : (tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> loc("relu")
    %7 = "graph.sigmoid"(%6) : (tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> loc("sig")
    %8 = "graph.tanh"(%7) : (tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> loc("tanh")
    "func.return"(%8) : (tensor<1x2x3x3xf32>) -> ()
  }) : () -> ()
}) : () -> ()
{-#
  dialect_resources: {
    builtin: {
      cst: "0x04000000666626BF7B142EBEE17AD43FC3F5283F85EBD1BF0AD723BC52B81EBF9A99193E7B14CEBF8FC2753E8FC2753E713DCA3F0AD7A33E5C8F023F52B8BEBF000010408FC2F5BFCDCC8C3FC3F5A8BEAE4761BFC3F528BF1F852BBF5C8FC23EAE47E1BDA470BD3F713DEABF000000800AD763BF14AE473F14AE07C07B14AEBE3D0A573EA470BDBFA4707D3FEC51383EAE47813F"
    }
  }
#-}
