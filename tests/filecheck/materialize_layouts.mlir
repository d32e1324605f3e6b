// RUN: ziggurat opt %s --pipeline "builtin.module(lower-graph-to-tensor, fuse-tensor, bufferize, lower-tensor-to-loops{ukernels=true target=zen3}, materialize-layouts)" | filecheck %s
// materialize-layouts: conv + bias + residual + relu. The conv's input and its residual are converted to
// the channel-blocked layout by loop.relayout kernels (2 and 3 channels padded to one block of 8) into
// host buffers; the constant bias is blocked at compile time (a padded loop.weight); the conv reads and
// writes blocked buffers and a last relayout kernel writes the NCHW output.
// CHECK: "loop.kernel"() <{function_type = (memref<1x2x5x5xf32>, memref<200xf32>) -> (), sym_name = "k0_pack"}>
// CHECK-NEXT: ^bb0(%arg0: memref<1x2x5x5xf32>, %arg1: memref<200xf32>):
// CHECK-NEXT: "loop.relayout"(%arg0, %arg1) <{block = 8 : i64, c = 2 : i64, hw = 25 : i64, n = 1 : i64, to_blocked = true}>
// CHECK: zg.parallel_range = 1
// CHECK: sym_name = "k0_pack2"
// CHECK: "loop.relayout"(%arg0, %arg1) <{block = 8 : i64, c = 3 : i64, hw = 9 : i64, n = 1 : i64, to_blocked = true}>
// CHECK: "loop.kernel"() <{function_type = (memref<200xf32>, memref<3x2x3x3xf32>, memref<8xf32>, memref<72xf32>, memref<72xf32>) -> (), sym_name = "k0"}>
// CHECK: "loop.conv2d"(%arg0, %arg1, %arg2, %arg3, %arg4) <{blocked = true, {{.*}}extra_kinds = ["channel", "full"], {{.*}}input_shape = array<i64: 1, 2, 5, 5>, {{.*}}output_shape = array<i64: 1, 3, 3, 3>, {{.*}}vector_width = 8 : i64}>
// CHECK: zg.parallel_range = 3
// CHECK: sym_name = "k0_unpack"
// CHECK: "loop.relayout"(%arg0, %arg1) <{block = 8 : i64, c = 3 : i64, hw = 9 : i64, n = 1 : i64, to_blocked = false}>
// CHECK-LABEL: sym_name = "main"
// CHECK: %[[XB:.*]] = "loop.alloc"() <{alignment = 64 : i64}> : () -> memref<200xf32>
// CHECK-NEXT: "loop.call"(%arg0, %[[XB]]) <{callee = @k0_pack}>
// CHECK-NEXT: %[[B:.*]] = "loop.weight"() <{value = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00]> : tensor<8xf32>}>
// CHECK-NEXT: %[[RB:.*]] = "loop.alloc"() <{alignment = 64 : i64}> : () -> memref<72xf32>
// CHECK-NEXT: "loop.call"(%arg1, %[[RB]]) <{callee = @k0_pack2}>
// CHECK-NEXT: %[[OB:.*]] = "loop.alloc"() <{alignment = 64 : i64}> : () -> memref<72xf32>
// CHECK-NEXT: "loop.call"(%[[XB]], %{{.*}}, %[[B]], %[[RB]], %[[OB]]) <{callee = @k0}>
// CHECK-NEXT: "loop.call"(%[[OB]], %arg2) <{callee = @k0_unpack}>
// CHECK-NEXT: "func.return"
"builtin.module"() ({
  "func.func"() <{function_type = (tensor<1x2x5x5xf32>, tensor<1x3x3x3xf32>) -> tensor<1x3x3x3xf32>, sym_name = "main"}> ({
  ^bb0(%arg0: tensor<1x2x5x5xf32>, %arg1: tensor<1x3x3x3xf32>):
    %0 = "graph.constant"() <{value = dense<5.000000e-01> : tensor<3x2x3x3xf32>}> : () -> tensor<3x2x3x3xf32> loc("w")
    %1 = "graph.constant"() <{value = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<3xf32>}> : () -> tensor<3xf32> loc("b")
    %2 = "graph.conv"(%arg0, %0, %1) <{pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}> : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<1x3x3x3xf32> loc("conv")
    %3 = "graph.add"(%2, %arg1) : (tensor<1x3x3x3xf32>, tensor<1x3x3x3xf32>) -> tensor<1x3x3x3xf32> loc("residual")
    %4 = "graph.relu"(%3) : (tensor<1x3x3x3xf32>) -> tensor<1x3x3x3xf32> loc("relu")
    "func.return"(%4) : (tensor<1x3x3x3xf32>) -> ()
  }) : () -> ()
}) : () -> ()
