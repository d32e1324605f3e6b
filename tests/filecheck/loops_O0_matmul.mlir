// RUN: ziggurat opt %s --pipeline "builtin.module(lower-tensor-to-loops)" | filecheck %s
// -O0 lowering (no micro-kernels): the matmul + relu kernel becomes one loop nest: two parallel loops
// over the output (tagged zg.parallel), an inner reduction loop.for carrying the f32 accumulator
// (init 0.0) through loop.yield, then the epilogue (max with the hoisted 0.0) and one store.
// CHECK-NOT: loop.gemm
// CHECK-LABEL: sym_name = "k0"
// CHECK-NOT: {{"(loop.to_tensor|loop.materialize|tensor.matmul|tensor.generic|tensor.empty)"\(}}
// CHECK: %[[ZERO:.*]] = "arith.constant"() <{value = 0.000000e+00 : f32}>
// CHECK-DAG: %[[C0:.*]] = "arith.constant"() <{value = 0 : index}>
// CHECK-DAG: %[[C4:.*]] = "arith.constant"() <{value = 4 : index}>
// CHECK-DAG: %[[C1:.*]] = "arith.constant"() <{value = 1 : index}>
// CHECK-DAG: %[[C16:.*]] = "arith.constant"() <{value = 16 : index}>
// CHECK-DAG: %[[C8:.*]] = "arith.constant"() <{value = 8 : index}>
// CHECK-NOT: {{"(loop.to_tensor|loop.materialize|tensor.matmul|tensor.generic|tensor.empty)"\(}}
// CHECK: "loop.for"(%[[C0]], %[[C4]], %[[C1]]) ({
// CHECK-NEXT: ^bb0(%[[I:.*]]: index):
// CHECK-NEXT: "loop.for"(%[[C0]], %[[C16]], %[[C1]]) ({
// CHECK-NEXT: ^bb0(%[[J:.*]]: index):
// CHECK-NEXT: %[[ACC:.*]] = "loop.for"(%[[C0]], %[[C8]], %[[C1]], %[[ZERO]]) ({
// CHECK-NEXT: ^bb0(%[[K:.*]]: index, %[[A:.*]]: f32):
// CHECK-NEXT: %[[X:.*]] = "loop.load"(%arg0, %[[I]], %[[K]]) : (memref<4x8xf32>, index, index) -> f32
// CHECK-NEXT: %[[W:.*]] = "loop.load"(%arg1, %[[K]], %[[J]]) : (memref<8x16xf32>, index, index) -> f32
// CHECK-NEXT: %[[P:.*]] = "arith.mulf"(%[[X]], %[[W]])
// CHECK-NEXT: %[[S:.*]] = "arith.addf"(%[[A]], %[[P]])
// CHECK-NEXT: "loop.yield"(%[[S]]) : (f32) -> ()
// CHECK-NEXT: }) : (index, index, index, f32) -> f32
// CHECK-NEXT: %[[R:.*]] = "arith.maximumf"(%[[ACC]], %[[ZERO]]) {{.*}} loc("relu")
// CHECK-NEXT: "loop.store"(%[[R]], %arg2, %[[I]], %[[J]]) : (f32, memref<4x16xf32>, index, index) -> ()
// CHECK-NEXT: "loop.yield"() : () -> ()
// CHECK-NEXT: }) {zg.parallel}
// CHECK-NEXT: "loop.yield"() : () -> ()
// CHECK-NEXT: }) {zg.parallel}
// CHECK-NEXT: "loop.return"() : () -> ()
"builtin.module"() ({
  "loop.kernel"() <{function_type = (memref<4x8xf32>, memref<8x16xf32>, memref<4x16xf32>) -> (), sym_name = "k0"}> ({
  ^bb0(%arg0: memref<4x8xf32>, %arg1: memref<8x16xf32>, %arg2: memref<4x16xf32>):
    %0 = "loop.to_tensor"(%arg0) : (memref<4x8xf32>) -> tensor<4x8xf32> loc(fused["mm", "relu"])
    %1 = "loop.to_tensor"(%arg1) : (memref<8x16xf32>) -> tensor<8x16xf32> loc(fused["mm", "relu"])
    %2 = "tensor.empty"() : () -> tensor<4x16xf32> loc("relu")
    %3 = "tensor.matmul"(%0, %1) {zg.fusion_group = 0 : i64} : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32> loc("mm")
    %4 = "tensor.generic"(%3, %2) <{indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"], operandSegmentSizes = array<i32: 1, 1>}> ({
    ^bb0(%arg3: f32, %arg4: f32):
      %5 = "arith.constant"() <{value = 0.000000e+00 : f32}> : () -> f32 loc("relu")
      %6 = "arith.maximumf"(%arg3, %5) : (f32, f32) -> f32 loc("relu")
      "tensor.generic_yield"(%6) : (f32) -> ()
    }) {zg.epilogue_of = "tensor.matmul", zg.fusion_group = 0 : i64} : (tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32> loc(fused["mm", "relu"])
    "loop.materialize"(%4, %arg2) : (tensor<4x16xf32>, memref<4x16xf32>) -> () loc(fused["mm", "relu"])
    "loop.return"() : () -> ()
  }) {zg.fusion_group = 0 : i64, zg.ops = ["tensor.matmul", "tensor.generic"], zg.parallel_range = 1 : i64} : () -> () loc(fused["mm", "relu"])
  "func.func"() <{function_type = (memref<4x8xf32>, memref<4x16xf32>) -> (), sym_name = "main"}> ({
  ^bb0(%arg0: memref<4x8xf32>, %arg1: memref<4x16xf32>):
    %0 = "loop.weight"() <{value = dense<1.250000e-01> : tensor<8x16xf32>}> : () -> memref<8x16xf32> loc("w")
    "loop.call"(%arg0, %0, %arg1) <{callee = @k0}> : (memref<4x8xf32>, memref<8x16xf32>, memref<4x16xf32>) -> () loc(fused["mm", "relu"])
    "func.return"() : () -> ()
  }) : () -> ()
}) : () -> ()
