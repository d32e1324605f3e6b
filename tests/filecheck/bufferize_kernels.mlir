// RUN: ziggurat opt %s --pipeline "builtin.module(bufferize)" | filecheck %s
// bufferize: one loop.kernel per fusion group (the matmul and its epilogue, group 0) and per unfused
// tensor op (the tanh), each taking memrefs (inputs, then its output) and wrapping them in
// loop.to_tensor / loop.materialize around the unchanged tensor ops; the host function turns the
// constant into a loop.weight, the intermediate into an aligned loop.alloc, and calls the kernels in
// order, writing the result straight into its output argument.
// CHECK-LABEL: "loop.kernel"() <{function_type = (memref<4x8xf32>, memref<8x16xf32>, memref<4x16xf32>) -> (), sym_name = "k0"}>
// CHECK-NEXT: ^bb0(%[[X:.*]]: memref<4x8xf32>, %[[W:.*]]: memref<8x16xf32>, %[[O:.*]]: memref<4x16xf32>):
// CHECK-NEXT: %[[TX:.*]] = "loop.to_tensor"(%[[X]]) : (memref<4x8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT: %[[TW:.*]] = "loop.to_tensor"(%[[W]]) : (memref<8x16xf32>) -> tensor<8x16xf32>
// CHECK: %[[MM:.*]] = "tensor.matmul"(%[[TX]], %[[TW]])
// CHECK: %[[EP:.*]] = "tensor.generic"(%[[MM]], %{{.*}})
// CHECK: "arith.maximumf"
// CHECK: "loop.materialize"(%[[EP]], %[[O]]) : (tensor<4x16xf32>, memref<4x16xf32>) -> ()
// CHECK-NEXT: "loop.return"() : () -> ()
// CHECK-NEXT: }) {zg.fusion_group = 0 : i64, zg.ops = ["tensor.matmul", "tensor.generic"], zg.parallel_range = 1 : i64}
// CHECK-LABEL: sym_name = "k1"
// CHECK: "loop.to_tensor"
// CHECK: "math.tanh"
// CHECK: "loop.materialize"
// CHECK: zg.ops = ["tensor.generic"]
// CHECK-LABEL: "func.func"() <{function_type = (memref<4x8xf32>, memref<4x16xf32>) -> (), sym_name = "main"}>
// CHECK-NEXT: ^bb0(%[[IN:.*]]: memref<4x8xf32>, %[[OUT:.*]]: memref<4x16xf32>):
// CHECK-NEXT: %[[WT:.*]] = "loop.weight"() <{value = dense<1.250000e-01> : tensor<8x16xf32>}> : () -> memref<8x16xf32> loc("w")
// CHECK-NEXT: %[[T:.*]] = "loop.alloc"() <{alignment = 64 : i64}> : () -> memref<4x16xf32>
// CHECK-NEXT: "loop.call"(%[[IN]], %[[WT]], %[[T]]) <{callee = @k0}>
// CHECK-NEXT: "loop.call"(%[[T]], %[[OUT]]) <{callee = @k1}>
// CHECK-NEXT: "func.return"() : () -> ()
// CHECK-NOT: tensor<
"builtin.module"() ({
  "func.func"() <{function_type = (tensor<4x8xf32>) -> tensor<4x16xf32>, sym_name = "main"}> ({
  ^bb0(%arg0: tensor<4x8xf32>):
    %0 = "graph.constant"() <{value = dense<1.250000e-01> : tensor<8x16xf32>}> : () -> tensor<8x16xf32> loc("w")
    %1 = "tensor.matmul"(%arg0, %0) {zg.fusion_group = 0 : i64} : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32> loc("mm")
    %2 = "tensor.empty"() : () -> tensor<4x16xf32> loc("relu")
    %3 = "tensor.generic"(%1, %2) <{indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"], operandSegmentSizes = array<i32: 1, 1>}> ({
    ^bb0(%arg1: f32, %arg2: f32):
      %4 = "arith.constant"() <{value = 0.000000e+00 : f32}> : () -> f32 loc("relu")
      %5 = "arith.maximumf"(%arg1, %4) : (f32, f32) -> f32 loc("relu")
      "tensor.generic_yield"(%5) : (f32) -> ()
    }) {zg.epilogue_of = "tensor.matmul", zg.fusion_group = 0 : i64} : (tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32> loc(fused["mm", "relu"])
    %6 = "tensor.empty"() : () -> tensor<4x16xf32> loc("tanh")
    %7 = "tensor.generic"(%3, %6) <{indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"], operandSegmentSizes = array<i32: 1, 1>}> ({
    ^bb0(%arg3: f32, %arg4: f32):
      %8 = "math.tanh"(%arg3) : (f32) -> f32 loc("tanh")
      "tensor.generic_yield"(%8) : (f32) -> ()
    }) : (tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32> loc("tanh")
    "func.return"(%7) : (tensor<4x16xf32>) -> ()
  }) : () -> ()
}) : () -> ()
