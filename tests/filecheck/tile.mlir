// RUN: ziggurat opt %s --pipeline "builtin.module(tile{sizes=2,8})" | filecheck %s
// tile{sizes=2,8}: the 4x20 band becomes tile loops (step 2 over rows, step 8 over columns) around
// point loops from the tile start to min(start + size, bound) (the last column tile is partial).
// CHECK-DAG: %[[C8:.*]] = "arith.constant"() <{value = 8 : index}>
// CHECK-DAG: %[[C2:.*]] = "arith.constant"() <{value = 2 : index}>
// CHECK-DAG: %[[C0:.*]] = "arith.constant"() <{value = 0 : index}>
// CHECK-DAG: %[[C4:.*]] = "arith.constant"() <{value = 4 : index}>
// CHECK-DAG: %[[C1:.*]] = "arith.constant"() <{value = 1 : index}>
// CHECK-DAG: %[[C20:.*]] = "arith.constant"() <{value = 20 : index}>
// CHECK: "loop.for"(%[[C0]], %[[C4]], %[[C2]]) ({
// CHECK-NEXT: ^bb0(%[[IT:.*]]: index):
// CHECK-NEXT: "loop.for"(%[[C0]], %[[C20]], %[[C8]]) ({
// CHECK-NEXT: ^bb0(%[[JT:.*]]: index):
// CHECK-NEXT: %[[IE:.*]] = "arith.addi"(%[[IT]], %[[C2]])
// CHECK-NEXT: %[[IM:.*]] = "arith.minsi"(%[[IE]], %[[C4]])
// CHECK-NEXT: "loop.for"(%[[IT]], %[[IM]], %[[C1]]) ({
// CHECK-NEXT: ^bb0(%[[I:.*]]: index):
// CHECK-NEXT: %[[JE:.*]] = "arith.addi"(%[[JT]], %[[C8]])
// CHECK-NEXT: %[[JM:.*]] = "arith.minsi"(%[[JE]], %[[C20]])
// CHECK-NEXT: "loop.for"(%[[JT]], %[[JM]], %[[C1]]) ({
// CHECK-NEXT: ^bb0(%[[J:.*]]: index):
// CHECK-NEXT: "loop.load"(%arg0, %[[I]], %[[J]])
// CHECK-NEXT: "loop.load"(%arg1, %[[I]], %[[J]])
// CHECK: "loop.store"(%{{.*}}, %arg2, %[[I]], %[[J]])
"builtin.module"() ({
  "loop.kernel"() <{function_type = (memref<4x20xf32>, memref<4x20xf32>, memref<4x20xf32>) -> (), sym_name = "k0"}> ({
  ^bb0(%arg0: memref<4x20xf32>, %arg1: memref<4x20xf32>, %arg2: memref<4x20xf32>):
    %0 = "arith.constant"() <{value = 0 : index}> : () -> index
    %1 = "arith.constant"() <{value = 4 : index}> : () -> index
    %2 = "arith.constant"() <{value = 1 : index}> : () -> index
    %3 = "arith.constant"() <{value = 20 : index}> : () -> index
    %4 = "arith.constant"() <{value = 0.000000e+00 : f32}> : () -> f32
    "loop.for"(%0, %1, %2) ({
    ^bb0(%arg3: index):
      "loop.for"(%0, %3, %2) ({
      ^bb0(%arg4: index):
        %5 = "loop.load"(%arg0, %arg3, %arg4) : (memref<4x20xf32>, index, index) -> f32
        %6 = "loop.load"(%arg1, %arg3, %arg4) : (memref<4x20xf32>, index, index) -> f32
        %7 = "arith.addf"(%5, %6) : (f32, f32) -> f32
        %8 = "arith.maximumf"(%7, %4) : (f32, f32) -> f32
        "loop.store"(%8, %arg2, %arg3, %arg4) : (f32, memref<4x20xf32>, index, index) -> ()
        "loop.yield"() : () -> ()
      }) {zg.parallel} : (index, index, index) -> ()
      "loop.yield"() : () -> ()
    }) {zg.parallel} : (index, index, index) -> ()
    "loop.return"() : () -> ()
  }) {zg.ops = ["tensor.generic"], zg.parallel_range = 1 : i64} : () -> ()
}) : () -> ()
