// RUN: ziggurat opt %s --pipeline "builtin.module(compile-O2{target=cpu})" --elide-constants | filecheck %s
// RUN: ziggurat opt %s --pipeline "builtin.module(compile-O2{target=cpu})" --elide-constants | filecheck %s --check-prefix=LOOP
// The whole -O2 build of conv + bias + relu -> GlobalAveragePool -> Flatten -> Gemm(transB) + bias ->
// sigmoid, from graph IR to the loop level: the conv with its bias/relu epilogue becomes a packed
// loop.conv2d reading and writing channel-blocked buffers (made and read back by loop.relayout kernels;
// the bias blocked at compile time), the pool a parallel loop nest, the one-row gemm a packed loop.gemv whose splat bias is
// folded into the epilogue next to the sigmoid; flatten is a loop.view; the memory plan reuses the
// blocked input's bytes for the conv's dense output and the blocked output's for the pool's. Vector widths and packed sizes
// depend on the host (target=cpu), so they are matched, not fixed.
// CHECK: "loop.kernel"() <{function_type = (memref<1x2x4x4xf32>, memref<[[XB:[0-9]+]]xf32>) -> (), sym_name = "k0_pack"}>
// CHECK: "loop.relayout"(%arg0, %arg1) <{block = [[CB:8|16]] : i64, c = 2 : i64, hw = 16 : i64, n = 1 : i64, to_blocked = true}>
// CHECK: "loop.kernel"() <{function_type = (memref<[[XB]]xf32>, memref<[[CW:[0-9]+]]xf32>, memref<[[BB:[0-9]+]]xf32>, memref<[[OB:[0-9]+]]xf32>) -> (), sym_name = "k0"}>
// CHECK: "loop.conv2d"(%arg0, %arg1, %arg2, %arg3) <{blocked = true, dilations = array<i64: 1, 1>, extra_kinds = ["channel"], group = 1 : i64, input_shape = array<i64: 1, 2, 4, 4>, kernel = array<i64: 3, 3>, {{.*}}output_shape = array<i64: 1, 8, 4, 4>, {{.*}}packed = true, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>, vector_width = [[CB]] : i64}>
// CHECK-NEXT: ^bb0(%[[ACC:.*]]: f32, %[[B:.*]]: f32):
// CHECK-NEXT: %[[S:.*]] = "arith.addf"(%[[ACC]], %[[B]])
// CHECK-NEXT: %[[Z:.*]] = "arith.constant"() <{value = 0.000000e+00 : f32}>
// CHECK-NEXT: "arith.maximumf"(%[[S]], %[[Z]])
// CHECK: "loop.kernel"() <{function_type = (memref<[[OB]]xf32>, memref<1x8x4x4xf32>) -> (), sym_name = "k0_unpack"}>
// CHECK: "loop.relayout"(%arg0, %arg1) <{block = [[CB]] : i64, c = 8 : i64, hw = 16 : i64, n = 1 : i64, to_blocked = false}>
// CHECK-LABEL: sym_name = "k1"
// CHECK: "loop.parallel"
// CHECK-SAME: mapping = ["cpu.outer"]
// CHECK: "arith.divf"
// CHECK: zg.ops = ["tensor.reduce"]
// CHECK: "loop.kernel"() <{function_type = (memref<1x8xf32>, memref<[[FW:[0-9]+]]xf32>, memref<1x16xf32>) -> (), sym_name = "k2"}>
// CHECK: "loop.gemv"(%arg0, %arg1, %arg2) <{acc_sets = 2 : i64, extra_kinds = [], k = 8 : i64, k_unroll = 4 : i64, n = 16 : i64, packed = true, {{.*}}vector_width = {{8|16}} : i64}>
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32):
// CHECK-NEXT: %[[HALF:.*]] = "arith.constant"() <{value = 5.000000e-01 : f32}>
// CHECK-NEXT: %[[Y:.*]] = "arith.addf"(%[[A]], %[[HALF]])
// CHECK: "math.exp"
// CHECK: "arith.select"
// CHECK-NEXT: "loop.yield"
// CHECK-LABEL: sym_name = "main"
// CHECK-NEXT: ^bb0(%[[IN:.*]]: memref<1x2x4x4xf32>, %[[OUT:.*]]: memref<1x16xf32>):
// CHECK-NEXT: %[[W:.*]] = "loop.weight"() <{value = dense_resource<__elided__> : tensor<[[CW]]xf32>}> : () -> memref<[[CW]]xf32> loc("w")
// CHECK-NEXT: %[[T0:.*]] = "loop.alloc"() <{alignment = 64 : i64}> {zg.offset = 0 : i64} : () -> memref<1x8x4x4xf32>
// CHECK-NEXT: %[[XBLK:.*]] = "loop.alloc"() <{alignment = 64 : i64}> {zg.offset = 0 : i64} : () -> memref<[[XB]]xf32>
// CHECK-NEXT: "loop.call"(%[[IN]], %[[XBLK]]) <{callee = @k0_pack}>
// CHECK-NEXT: %[[BIAS:.*]] = "loop.weight"() <{value = dense<[1.000000e+00, {{.*}}]> : tensor<[[BB]]xf32>}>
// CHECK-NEXT: %[[OBLK:.*]] = "loop.alloc"() <{alignment = 64 : i64}> {zg.offset = 512 : i64} : () -> memref<[[OB]]xf32>
// CHECK-NEXT: "loop.call"(%[[XBLK]], %[[W]], %[[BIAS]], %[[OBLK]]) <{callee = @k0}>
// CHECK-NEXT: "loop.call"(%[[OBLK]], %[[T0]]) <{callee = @k0_unpack}>
// CHECK-NEXT: %[[T1:.*]] = "loop.alloc"() <{alignment = 64 : i64}> {zg.offset = 512 : i64} : () -> memref<1x8x1x1xf32>
// CHECK-NEXT: "loop.call"(%[[T0]], %[[T1]]) <{callee = @k1}>
// CHECK-NEXT: %[[V:.*]] = "loop.view"(%[[T1]]) : (memref<1x8x1x1xf32>) -> memref<1x8xf32> loc("flatten")
// CHECK-NEXT: %[[FCW:.*]] = "loop.weight"() <{value = {{.*}} : tensor<[[FW]]xf32>}>
// CHECK-NEXT: "loop.call"(%[[V]], %[[FCW]], %[[OUT]]) <{callee = @k2}>
// CHECK-NEXT: "func.return"() : () -> ()
// CHECK-NEXT: }) {zg.arena_bytes = 1024 : i64, zg.unplanned_bytes = 1600 : i64}
// No graph- or tensor-level op is left anywhere in the module:
// LOOP-NOT: {{"(graph|tensor)\.[a-z_]+"\(}}
"builtin.module"() ({
  "func.func"() <{function_type = (tensor<1x2x4x4xf32>) -> tensor<1x16xf32>, sym_name = "main"}> ({
  ^bb0(%arg0: tensor<1x2x4x4xf32>):
    %0 = "graph.constant"() <{value = dense<1.250000e-01> : tensor<8x2x3x3xf32>}> : () -> tensor<8x2x3x3xf32> loc("w")
    %1 = "graph.constant"() <{value = dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]> : tensor<8xf32>}> : () -> tensor<8xf32> loc("b")
    %2 = "graph.conv"(%arg0, %0, %1) <{pads = array<i64: 1, 1, 1, 1>}> : (tensor<1x2x4x4xf32>, tensor<8x2x3x3xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32> loc("conv")
    %3 = "graph.relu"(%2) : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32> loc("relu")
    %4 = "graph.global_average_pool"(%3) : (tensor<1x8x4x4xf32>) -> tensor<1x8x1x1xf32> loc("gap")
    %5 = "graph.flatten"(%4) : (tensor<1x8x1x1xf32>) -> tensor<1x8xf32> loc("flatten")
    %6 = "graph.constant"() <{value = dense<2.500000e-01> : tensor<16x8xf32>}> : () -> tensor<16x8xf32> loc("fc_w")
    %7 = "graph.constant"() <{value = dense<5.000000e-01> : tensor<16xf32>}> : () -> tensor<16xf32> loc("fc_b")
    %8 = "graph.gemm"(%5, %6, %7) <{transB = 1 : i64}> : (tensor<1x8xf32>, tensor<16x8xf32>, tensor<16xf32>) -> tensor<1x16xf32> loc("fc")
    %9 = "graph.sigmoid"(%8) : (tensor<1x16xf32>) -> tensor<1x16xf32> loc("sig")
    "func.return"(%9) : (tensor<1x16xf32>) -> ()
  }) : () -> ()
}) : () -> ()
