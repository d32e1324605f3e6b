// RUN: ziggurat opt %s --pipeline "builtin.module(lower-graph-to-tensor)" | filecheck %s
// Pooling: MaxPool / AveragePool -> tensor.pool (kind, kernel, strides, pads, dilations and
// count_include_pad all explicit); an AveragePool that counts its padding pads with zeros first
// (tensor.pad_constant) and pools the padded input without padding; GlobalAveragePool -> a keepdims
// mean over the spatial axes.
// CHECK-NOT: graph.
// CHECK: %[[MAX:.*]] = "tensor.pool"(%arg0) <{count_include_pad = false, dilations = array<i64: 1, 1>, kernel = array<i64: 2, 2>, kind = "max", pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>}> : (tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32> loc("maxpool")
// CHECK-NEXT: %[[PAD:.*]] = "tensor.pad_constant"(%arg0) <{high = array<i64: 0, 0, 1, 1>, low = array<i64: 0, 0, 1, 1>, value = 0.000000e+00 : f32}> : (tensor<1x2x6x6xf32>) -> tensor<1x2x8x8xf32> loc("avgpool")
// CHECK-NEXT: %[[AVG:.*]] = "tensor.pool"(%[[PAD]]) <{count_include_pad = false, dilations = array<i64: 1, 1>, kernel = array<i64: 3, 3>, kind = "avg", pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}> : (tensor<1x2x8x8xf32>) -> tensor<1x2x6x6xf32> loc("avgpool")
// CHECK-NEXT: %[[GAP:.*]] = "tensor.reduce"(%arg0) <{axes = array<i64: 2, 3>, keepdims = true, kind = "mean"}> : (tensor<1x2x6x6xf32>) -> tensor<1x2x1x1xf32> loc("gap")
// CHECK-NEXT: "func.return"(%[[MAX]], %[[AVG]], %[[GAP]])
"builtin.module"() ({
  "func.func"() <{function_type = (tensor<1x2x6x6xf32>) -> (tensor<1x2x3x3xf32>, tensor<1x2x6x6xf32>, tensor<1x2x1x1xf32>), sym_name = "main"}> ({
  ^bb0(%arg0: tensor<1x2x6x6xf32>):
    %0 = "graph.max_pool"(%arg0) <{kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>}> : (tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32> loc("maxpool")
    %1 = "graph.average_pool"(%arg0) <{count_include_pad = 1 : i64, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>}> : (tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32> loc("avgpool")
    %2 = "graph.global_average_pool"(%arg0) : (tensor<1x2x6x6xf32>) -> tensor<1x2x1x1xf32> loc("gap")
    "func.return"(%0, %1, %2) : (tensor<1x2x3x3xf32>, tensor<1x2x6x6xf32>, tensor<1x2x1x1xf32>) -> ()
  }) : () -> ()
}) : () -> ()
